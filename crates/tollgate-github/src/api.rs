//! The GitHub REST calls tollgate makes, through octocrab with its base URI taken from
//! `GITHUB_API_URL` (so GitHub Enterprise Server works).
//!
//! Request bodies are tollgate's own serialisable structs (octocrab's review-comment types are
//! response types), and responses are read into small structs holding only what is used, so a
//! field GitHub adds or drops does not break the check.

use std::fmt;

use octocrab::{Octocrab, Page};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::context::Token;

/// A failed call. `Refused` is what a read-only token gets (pull requests from forks): the
/// check falls back to annotations and the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401, 403 or 404 on a call the token is not allowed to make.
    Refused { status: u16, message: String },
    /// Anything else: the network, a 5xx, an unreadable answer.
    Failed(String),
}

impl ApiError {
    pub fn is_refused(&self) -> bool {
        matches!(self, ApiError::Refused { .. })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Refused { status, message } => {
                write!(f, "GitHub refused the request ({status}: {message})")
            }
            ApiError::Failed(m) => write!(f, "the GitHub API could not be reached: {m}"),
        }
    }
}

fn api_error(e: octocrab::Error) -> ApiError {
    match e {
        octocrab::Error::GitHub { source, .. } => {
            let status = source.status_code.as_u16();
            if matches!(status, 401 | 403 | 404) {
                ApiError::Refused {
                    status,
                    message: source.message.clone(),
                }
            } else {
                ApiError::Failed(format!("{status}: {}", source.message))
            }
        }
        // octocrab's Display of transport errors names the URL, never the token.
        other => ApiError::Failed(first_line(&other.to_string())),
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Label {
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Review {
    user: Option<User>,
    state: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IssueComment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewComment {
    pub id: u64,
    pub path: String,
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub subject_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Created {
    id: u64,
}

/// `POST /repos/{owner}/{repo}/pulls/{n}/reviews`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewReview {
    pub commit_id: String,
    pub event: &'static str,
    pub body: String,
    pub comments: Vec<NewReviewComment>,
}

/// One line comment of a review.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewReviewComment {
    pub path: String,
    pub line: u64,
    pub side: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<&'static str>,
    pub body: String,
}

/// `POST /repos/{owner}/{repo}/pulls/{n}/comments` for a file-level comment (the line is not
/// part of the diff).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewFileComment {
    pub commit_id: String,
    pub path: String,
    pub subject_type: &'static str,
    pub body: String,
}

#[derive(Serialize)]
struct Body<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct PerPage {
    per_page: u32,
}

/// A client for one repository.
pub struct Api {
    client: Octocrab,
    owner: String,
    repo: String,
}

impl Api {
    /// Must be called inside a tokio runtime (octocrab's client spawns on it).
    pub fn new(api_url: &str, token: &Token, repository: &str) -> Result<Api, ApiError> {
        let (owner, repo) = repository
            .split_once('/')
            .ok_or_else(|| ApiError::Failed(format!("`{repository}` is not owner/name")))?;
        let client = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| ApiError::Failed(format!("GITHUB_API_URL `{api_url}` is not a URL")))?
            .personal_token(token.expose().to_string())
            .add_header(
                http::header::USER_AGENT,
                format!("tollgate/{}", env!("CARGO_PKG_VERSION")),
            )
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            )
            .build()
            .map_err(api_error)?;
        Ok(Api {
            client,
            owner: owner.to_string(),
            repo: repo.to_string(),
        })
    }

    fn route(&self, rest: &str) -> String {
        format!("/repos/{}/{}/{rest}", self.owner, self.repo)
    }

    async fn all<T: DeserializeOwned>(&self, route: String) -> Result<Vec<T>, ApiError> {
        let mut page: Page<T> = self
            .client
            .get(route, Some(&PerPage { per_page: 100 }))
            .await
            .map_err(api_error)?;
        let mut items = std::mem::take(&mut page.items);
        // A runaway Link chain must not loop forever: 100 pages of 100 is more than any pull
        // request holds.
        for _ in 0..100 {
            let Some(next) = self
                .client
                .get_page::<T>(&page.next)
                .await
                .map_err(api_error)?
            else {
                break;
            };
            page = next;
            items.append(&mut page.items);
        }
        Ok(items)
    }

    /// The pull request's labels as they are now.
    pub async fn labels(&self, pr: u64) -> Result<Vec<String>, ApiError> {
        let labels: Vec<Label> = self.all(self.route(&format!("issues/{pr}/labels"))).await?;
        Ok(labels.into_iter().map(|l| l.name).collect())
    }

    /// `(reviewer, state)` in the order submitted.
    pub async fn reviews(&self, pr: u64) -> Result<Vec<(String, String)>, ApiError> {
        let reviews: Vec<Review> = self.all(self.route(&format!("pulls/{pr}/reviews"))).await?;
        Ok(reviews
            .into_iter()
            .filter_map(|r| Some((r.user?.login, r.state)))
            .collect())
    }

    pub async fn issue_comments(&self, pr: u64) -> Result<Vec<IssueComment>, ApiError> {
        self.all(self.route(&format!("issues/{pr}/comments"))).await
    }

    pub async fn create_comment(&self, pr: u64, body: &str) -> Result<u64, ApiError> {
        let c: Created = self
            .client
            .post(
                self.route(&format!("issues/{pr}/comments")),
                Some(&Body { body }),
            )
            .await
            .map_err(api_error)?;
        Ok(c.id)
    }

    pub async fn update_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        let _: Created = self
            .client
            .patch(
                self.route(&format!("issues/comments/{id}")),
                Some(&Body { body }),
            )
            .await
            .map_err(api_error)?;
        Ok(())
    }

    pub async fn review_comments(&self, pr: u64) -> Result<Vec<ReviewComment>, ApiError> {
        self.all(self.route(&format!("pulls/{pr}/comments"))).await
    }

    pub async fn create_review(&self, pr: u64, review: &NewReview) -> Result<u64, ApiError> {
        let c: Created = self
            .client
            .post(self.route(&format!("pulls/{pr}/reviews")), Some(review))
            .await
            .map_err(api_error)?;
        Ok(c.id)
    }

    pub async fn create_file_comment(
        &self,
        pr: u64,
        comment: &NewFileComment,
    ) -> Result<u64, ApiError> {
        let c: Created = self
            .client
            .post(self.route(&format!("pulls/{pr}/comments")), Some(comment))
            .await
            .map_err(api_error)?;
        Ok(c.id)
    }
}
