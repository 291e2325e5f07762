//! The validation reader's tests: each problem named, every problem at once.

use super::*;
use serde_json::json;

#[test]
fn collects_every_problem_at_once() {
    let body = json!({"name": 3, "max_speed_kmh": 999, "latitude": "north", "extra": true});
    let mut input = Input::object(&body, &["name", "max_speed_kmh", "latitude", "road"]);
    input.string("name", 1..=100);
    input.string("road", 1..=100);
    input.int("max_speed_kmh", 5..=300);
    input.number("latitude", -90.0..=90.0);
    let problems = input.finish().unwrap_err().0;
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        ["extra", "name", "road", "max_speed_kmh", "latitude"]
    );
    assert_eq!(problems[2].problem, "is required");
}

#[test]
fn accepts_valid_input() {
    let body = json!({"name": "  A1 north  ", "speed": 90, "at": "2026-11-22T10:15:00.123Z"});
    let mut input = Input::object(&body, &["name", "speed", "at"]);
    let name = input.string("name", 1..=100);
    let speed = input.int("speed", 1..=500);
    let at = input.time("at");
    input.finish().unwrap();
    assert_eq!(name, "A1 north");
    assert_eq!(speed, 90);
    assert_eq!(crate::time::format(&at), "2026-11-22T10:15:00.123Z");
}

#[test]
fn an_integer_may_be_written_with_a_zero_fraction() {
    let body = json!({"n": 80.0, "big": 1e2, "v": 3.0});
    let mut input = Input::object(&body, &["n", "big", "v"]);
    assert_eq!(input.int("n", 0..=100), 80);
    assert_eq!(input.opt_int("big", 0..=100), Some(100));
    assert_eq!(input.opt_version("v", 1), Some(3));
    input.finish().unwrap();
    let body = json!({"huge": 1e19, "negative": -1.0});
    let mut input = Input::object(&body, &["huge", "negative"]);
    assert_eq!(input.opt_int("huge", 0..=i64::MAX), None);
    assert_eq!(input.opt_version("negative", 0), None);
    assert_eq!(input.finish().unwrap_err().0.len(), 2);
}

#[test]
fn fractional_number_is_not_an_integer() {
    let body = json!({"n": 1.5});
    let mut input = Input::object(&body, &["n"]);
    input.int("n", 0..=10);
    assert_eq!(
        input.finish().unwrap_err().0[0].problem,
        "must be an integer"
    );
}

#[test]
fn non_object_body_is_one_problem() {
    let body = json!([1, 2]);
    let mut input = Input::object(&body, &["a"]);
    input.string("a", 1..=3);
    let problems = input.finish().unwrap_err().0;
    assert_eq!(
        problems,
        vec![FieldProblem::new("body", "must be a JSON object")]
    );
}

#[test]
fn required_records_absence_once() {
    let body = json!({"present": "2026-01-01", "bad": "x"});
    let mut input = Input::object(&body, &["present", "bad", "absent"]);
    assert!(input.required("present", |i, f| i.opt_date(f)).is_some());
    assert!(input.required("bad", |i, f| i.opt_date(f)).is_none());
    assert!(input.required("absent", |i, f| i.opt_date(f)).is_none());
    let problems = input.finish().unwrap_err().0;
    let got: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.problem.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("bad", "must be a date YYYY-MM-DD"),
            ("absent", "is required")
        ]
    );
}

#[test]
fn required_if_requires_only_when_asked() {
    let body = json!({});
    let mut input = Input::object(&body, &["a", "b"]);
    assert_eq!(input.required_if("a", false, Input::opt_date), None);
    assert_eq!(input.required_if("b", true, Input::opt_date), None);
    assert_eq!(
        input.finish().unwrap_err().0,
        vec![FieldProblem::new("b", "is required")]
    );
}

#[test]
fn required_adds_nothing_to_a_non_object_body() {
    let body = json!(3);
    let mut input = Input::object(&body, &["a"]);
    assert!(input.required("a", |i, f| i.opt_date(f)).is_none());
    assert_eq!(input.finish().unwrap_err().0.len(), 1);
}

#[test]
fn email_shapes() {
    for good in ["a@b.co", "first.last+tag@mail.example.org", "x@y.z"] {
        assert!(is_email(good), "{good}");
    }
    for bad in [
        "plain", "@b.co", "a@b", "a@.b", "a@b.", "a@@b.co", "a@b@c.co", "a b@c.co", "a@b\t.co",
    ] {
        assert!(!is_email(bad), "{bad}");
    }
}

#[test]
fn email_readers() {
    let body = json!({"good": " a@b.co ", "bad": "plain"});
    let mut input = Input::object(&body, &["good", "bad", "absent"]);
    assert_eq!(input.email("good").as_deref(), Some("a@b.co"));
    assert_eq!(input.email("bad"), None);
    assert_eq!(input.email("absent"), None);
    assert_eq!(input.opt_email("absent"), None);
    let problems = input.finish().unwrap_err().0;
    assert_eq!(
        problems,
        vec![
            FieldProblem::new("bad", EMAIL_PROBLEM),
            FieldProblem::new("absent", "is required")
        ]
    );
}

#[test]
fn single_field_reads_one_field_and_refuses_any_other() {
    let read = |body: &Value| Input::single_field(body, "n", |i, f| i.int(f, 1..=10));
    assert_eq!(read(&json!({"n": 3})), Ok(3));
    assert_eq!(
        read(&json!({"n": 0, "m": 1})).unwrap_err().0,
        vec![
            FieldProblem::new("m", "unknown field"),
            FieldProblem::new("n", "must be between 1 and 10")
        ]
    );
    assert_eq!(
        read(&json!({})).unwrap_err().0,
        vec![FieldProblem::new("n", "is required")]
    );
}

#[test]
fn require_any_names_every_field_a_patch_may_change() {
    let body = json!({"c": 1});
    let mut input = Input::object(&body, &["a", "b", "c"]);
    input.require_any(&["a", "b"]);
    input.require_any(&["b", "c"]);
    assert_eq!(
        input.finish().unwrap_err().0,
        vec![FieldProblem::new(
            "body",
            "must change at least one of a, b"
        )]
    );
    let one = json!(1);
    let mut not_an_object = Input::object(&one, &["a"]);
    not_an_object.require_any(&["a"]);
    assert_eq!(not_an_object.finish().unwrap_err().0.len(), 1);
}

#[test]
fn null_counts_as_absent() {
    let body = json!({"a": null});
    let mut input = Input::object(&body, &["a"]);
    assert_eq!(input.opt_string("a", 1..=3), None);
    assert!(!input.has_any(&["a"]));
    input.finish().unwrap();
}
