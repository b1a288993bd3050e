//! Why an account operation failed, and what the admin API answers for each.

use crate::error::ApiError;
use crate::store::error::StoreError;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("not an email address")]
    InvalidEmail,
    #[error("a password has at least 12 characters")]
    PasswordTooShort,
    #[error("a password has at most 1024 bytes")]
    PasswordTooLong,
    #[error("a token's name has 1 to 100 characters")]
    InvalidName,
    #[error("a token cannot do more than the user it belongs to")]
    RoleAboveOwn,
    #[error("a user with this email exists")]
    EmailTaken,
    #[error("the last owner cannot be removed, deactivated or given another role")]
    LastOwner,
    #[error("no such user")]
    UnknownUser,
    #[error("no such token")]
    UnknownToken,
    #[error("the admin token and the command line are nobody: sign in as a user for this")]
    NotAUser,
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many wrong passwords: the account is locked for {retry_after_secs} s")]
    Locked { retry_after_secs: u64 },
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        let message = error.to_string();
        match error {
            AccountError::InvalidEmail => ApiError::invalid("email", message),
            AccountError::PasswordTooShort | AccountError::PasswordTooLong => {
                ApiError::invalid("password", message)
            }
            AccountError::InvalidName => ApiError::invalid("name", message),
            AccountError::RoleAboveOwn => ApiError::invalid("role", message),
            AccountError::NotAUser => ApiError::invalid("authorization", message),
            AccountError::EmailTaken | AccountError::LastOwner => ApiError::Conflict { message },
            AccountError::UnknownUser | AccountError::UnknownToken => ApiError::NotFound,
            AccountError::WrongCredentials => ApiError::LoginFailed,
            AccountError::Locked { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
            AccountError::Hashing(detail) => {
                tracing::error!(%detail, "password hashing failed");
                ApiError::Internal
            }
            AccountError::Store(error) => ApiError::Store(error),
        }
    }
}
