//! What the fuzz targets share: the fixture configuration their inputs are checked
//! against ([`fixtures`]) and a reader of sanitized HTML for the markdown target's
//! assertions ([`markup`]).

pub mod fixtures;
pub mod markup;
