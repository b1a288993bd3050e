//! What every console page shares, signed in or not: the document head (stylesheet,
//! script and icon by their hashed names) and the brand; and [`bare`], the frame of
//! pages shown without a signed-in actor (errors).

use maud::{DOCTYPE, Markup, html};

use crate::console::assets::{Asset, href};

/// The document head of a page titled `title`.
pub fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light";
            title { (title) " · Kindling" }
            link rel="stylesheet" href=(href(Asset::Css));
            link rel="icon" type="image/svg+xml" href=(href(Asset::Logo));
            script src=(href(Asset::Js)) defer {}
        }
    }
}

/// The logo and name, linking to `home`.
pub fn brand(home: &str) -> Markup {
    html! {
        a.brand href=(home) {
            img src=(href(Asset::Logo)) alt="" width="28" height="28";
            span { "Kindling" }
        }
    }
}

/// A page without a signed-in actor (an error): the brand and `content`.
pub fn bare(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                header.topbar { (brand("/admin/leads")) }
                main #main.bare { (content) }
            }
        }
    }
}
