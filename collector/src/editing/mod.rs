//! Structured editing of a configuration document, for the console's editors: a
//! document opened for an edit of one list item ([`document`]), the fields a form
//! posted and the problems named by them ([`fields`]), a block as its editor's form
//! ([`block`]), a lead form as its editor's form ([`form`]), a segment as its editor's
//! form ([`segment`]), a site's scoring and stages as the scoring editor's form
//! ([`scoring`]), and a rule as the rows of a builder ([`rule`]). What a value means is
//! checked by the configuration's validator when the edited document is compiled;
//! [`yaml`] holds the small value helpers they share.

pub mod block;
pub mod document;
pub mod fields;
pub mod form;
pub mod rule;
pub mod scoring;
pub mod scoring_rows;
pub mod segment;
pub mod yaml;
