//! User-facing errors: one line, naming the file and the fix. Every one exits with code 2.

use std::fmt;
use std::path::Path;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
        }
    }

    pub fn io(path: &Path, err: &std::io::Error, fix: &str) -> Self {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => err.to_string(),
        };
        CliError::new(format!("{}: {what}; {fix}", path.display()))
    }

    pub fn input(path: &Path, message: String) -> Self {
        CliError::new(format!("{}: {message}", path.display()))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep it to one line whatever the cause said.
        let one_line: String = self
            .message
            .split(['\n', '\r'])
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        f.write_str(one_line.trim())
    }
}

impl std::error::Error for CliError {}

impl From<tollgate_core::policy::PolicyError> for CliError {
    fn from(e: tollgate_core::policy::PolicyError) -> Self {
        CliError::new(e.to_string())
    }
}
