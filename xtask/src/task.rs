//! What a task returns: success, or a failure explained for the person who ran it.

/// A task failure, explained for the person who ran it.
#[derive(Debug)]
pub struct TaskError(pub String);

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for TaskError {
    fn from(error: std::io::Error) -> Self {
        TaskError(error.to_string())
    }
}

pub type TaskResult<T> = Result<T, TaskError>;

/// Fails with `message`.
pub fn fail<T>(message: impl Into<String>) -> TaskResult<T> {
    Err(TaskError(message.into()))
}
