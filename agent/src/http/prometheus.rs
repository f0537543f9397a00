//! Writes the Prometheus text exposition format (version 0.0.4), the one every scraper reads.
//!
//! Hand-written rather than a client library: the endpoints render a snapshot of results they
//! already hold, so there are no live counters to register, only text to produce correctly
//! (escaping, one `# HELP`/`# TYPE` per family, finite-or-spelled-out values).

use std::fmt::Write;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

/// An exposition being written: families in the order they are declared.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

impl Exposition {
    pub fn new() -> Self {
        Exposition::default()
    }

    /// Declares a family; its samples follow. `name` must be a valid metric name (callers use
    /// constants), so it is written as is.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Self {
        let kind = match kind {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        };
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        self
    }

    /// One sample of the family declared last.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (index, (label, value)) in labels.iter().enumerate() {
                if index > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{label}=\"{}\"", escape_label_value(value));
            }
            self.text.push('}');
        }
        self.text.push(' ');
        self.text.push_str(&format_value(value));
        self.text.push('\n');
        self
    }

    /// The finished text.
    pub fn finish(self) -> String {
        self.text
    }
}

fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_families_samples_and_escapes() {
        let mut exposition = Exposition::new();
        exposition
            .family("rightsize_gc_pause_seconds_total", Kind::Counter, "Time in GC pauses.\nStop-the-world only.")
            .sample("rightsize_gc_pause_seconds_total", &[("jvm", "tm \"1\"\\a\nb")], 1.5)
            .sample("rightsize_gc_pause_seconds_total", &[], f64::NAN)
            .family("rightsize_up", Kind::Gauge, "1 when up.")
            .sample("rightsize_up", &[("a", "x"), ("b", "y")], f64::INFINITY);
        assert_eq!(
            exposition.finish(),
            "# HELP rightsize_gc_pause_seconds_total Time in GC pauses.\\nStop-the-world only.\n\
             # TYPE rightsize_gc_pause_seconds_total counter\n\
             rightsize_gc_pause_seconds_total{jvm=\"tm \\\"1\\\"\\\\a\\nb\"} 1.5\n\
             rightsize_gc_pause_seconds_total NaN\n\
             # HELP rightsize_up 1 when up.\n\
             # TYPE rightsize_up gauge\n\
             rightsize_up{a=\"x\",b=\"y\"} +Inf\n"
        );
    }
}
