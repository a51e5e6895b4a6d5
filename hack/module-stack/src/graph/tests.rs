use super::*;

#[test]
fn a_cycle_is_one_component_and_one_layer_above_what_it_reaches() {
    // 0 -> 1 -> 2 -> 1, 2 -> 3
    let successors = vec![vec![1], vec![2], vec![1, 3], vec![]];
    let components = components(&successors);
    assert_eq!(components, [vec![3], vec![1, 2], vec![0]]);
    assert_eq!(layers(&successors, &components), [2, 1, 1, 0]);
}
