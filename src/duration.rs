//! Go-style durations (`10m`, `1h30m`), as flags and `keyRotation.every` spell them.

use std::time::Duration;

/// Parses a Go-style duration such as `10m`, `90s`, `1h30m` or `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("empty duration; use e.g. 10m, 90s or 1h30m".into());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration; use e.g. 10m or 1h30m"))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let seconds = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => {
                return Err(format!(
                    "{text:?}: unknown unit {unit:?}; use h, m, s or ms"
                ));
            }
        };
        total += Duration::try_from_secs_f64(value * seconds)
            .map_err(|_| format!("{text:?} is out of range"))?;
        rest = next;
    }
    Ok(total)
}

#[cfg(test)]
mod tests;
