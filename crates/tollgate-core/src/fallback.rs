//! Token-level fallback classifier (work in progress).
use crate::lexer::Token;
use crate::ops::Op;

pub struct Fallback {
    pub ops: Vec<Op>,
    pub kind: String,
}

pub fn classify(_src: &str, _tokens: &[Token]) -> Fallback {
    Fallback { ops: vec![Op::Unknown { reason: "not implemented".into() }], kind: "unknown".into() }
}
