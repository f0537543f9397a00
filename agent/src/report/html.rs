//! html rendering of [`InstanceReport`]s.

use super::InstanceReport;

pub fn render(_reports: &[InstanceReport]) -> String {
    String::new()
}
