//! Strongly connected components and layers of a directed graph over the nodes `0..n`, given as
//! each node's successors.

/// The strongly connected components, by Tarjan's algorithm. A component comes after every
/// component it reaches, which is the order [`layers`] needs.
pub fn components(successors: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut tarjan = Tarjan {
        successors,
        index: vec![None; successors.len()],
        low: vec![0; successors.len()],
        on_stack: vec![false; successors.len()],
        stack: Vec::new(),
        next: 0,
        components: Vec::new(),
    };
    for node in 0..successors.len() {
        if tarjan.index[node].is_none() {
            tarjan.visit(node);
        }
    }
    tarjan.components
}

/// Each node's layer: 0 when it reaches nothing outside its own component, otherwise one above
/// the highest layer it reaches. `components` must be in the order [`components`] returns.
pub fn layers(successors: &[Vec<usize>], components: &[Vec<usize>]) -> Vec<usize> {
    let mut component_of = vec![0; successors.len()];
    for (c, members) in components.iter().enumerate() {
        for &node in members {
            component_of[node] = c;
        }
    }
    let mut layer = vec![0; successors.len()];
    for (c, members) in components.iter().enumerate() {
        let reached = members.iter().flat_map(|&node| &successors[node]);
        let outside = reached.filter(|&&to| component_of[to] != c);
        let level = outside.map(|&to| layer[to] + 1).max().unwrap_or(0);
        for &node in members {
            layer[node] = level;
        }
    }
    layer
}

struct Tarjan<'a> {
    successors: &'a [Vec<usize>],
    /// The order each node was first visited in.
    index: Vec<Option<usize>>,
    /// The lowest index reachable from the node through the nodes still on the stack.
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    // Recursive: the depth is bounded by the number of files in a crate, a few hundred at most.
    fn visit(&mut self, node: usize) {
        self.index[node] = Some(self.next);
        self.low[node] = self.next;
        self.next += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
        for &to in &self.successors[node] {
            match self.index[to] {
                None => {
                    self.visit(to);
                    self.low[node] = self.low[node].min(self.low[to]);
                }
                Some(index) if self.on_stack[to] => self.low[node] = self.low[node].min(index),
                Some(_) => {}
            }
        }
        if self.index[node] == Some(self.low[node]) {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            component.sort_unstable();
            self.components.push(component);
        }
    }
}

#[cfg(test)]
mod tests;
