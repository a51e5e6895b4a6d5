use super::*;

#[test]
fn debug_and_display_hide_the_value() {
    let s = SecretText::new("hunter2");
    assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
    assert_eq!(s.expose(), "hunter2");
}
