//! The blocks' stylesheet, one for every placement, put into each block's shadow root.
//!
//! A call to action is a solid button, the second one an outlined button and "no
//! thanks" (a dismiss) a link; close buttons are 44 px touch targets; overlays fade in
//! unless the visitor asks for reduced motion; on narrow screens a bar's text and
//! button stack. A top bar sits `--kindling-top-offset` below the top (the height of a
//! sticky header, 0 by default). The block's layout (`data-layout` on its card)
//! arranges the rest: `standard` (an image above the text), `image_beside` (beside it
//! from 600 px wide), `image_top` (edge to edge across the top) and `compact` (one
//! line, no image).
//!
//! Themed by CSS custom properties the host page may set on any ancestor; they inherit
//! through the shadow boundary: `--kindling-accent` (buttons and links),
//! `--kindling-radius`, `--kindling-text`, `--kindling-surface` (background) and
//! `--kindling-font` (font family; the page's by default).
//!
//! Inline blocks fill exactly the box the page reserved for their slot (its `height`
//! or `min-height`): laid over it (`position:absolute; inset:0`, overflow hidden), a
//! block never changes the slot's height, so nothing below it moves. A slot that
//! reserves no height leaves its block no room, unless it is below the viewport when
//! drawn (`kd-grow`: the block flows and the slot grows to it). An embedded form draws
//! no card of its own: the page's container is its card, whose reserved height the
//! form keeps, its thank-you centred in it. Overlays are `position:fixed` and
//! move nothing in the page either: their host is kept out of the page's flow by an
//! important `:host` rule, which outranks any rule of the page.

pub const STYLE: &str = ":host{display:block;position:relative}\
:host([data-kindling-overlay]){position:fixed!important;z-index:2147483647!important}\
.kd-block{--kd-pad:1.5rem;box-sizing:border-box;margin:0;padding:var(--kd-pad);overflow:auto;border-radius:var(--kindling-radius,12px);\
background:var(--kindling-surface,#f5f7fb);color:var(--kindling-text,#1b2430);font:1rem/1.5 var(--kindling-font,inherit)}\
.kd-inline{position:absolute;inset:0;overflow:hidden}.kd-grow{position:relative;min-height:100%}\
.kd-block.kd-lead{padding:0;background:none;border-radius:0;min-height:inherit}.kd-lead:has(.kd-success){display:grid;align-content:center}\
@media (max-width:600px){.kd-block{--kd-pad:1rem}h2{font-size:1.2rem}}\
h2{margin:0 2.5rem .5rem 0;font-size:1.4rem;line-height:1.25}p,ul{margin:0 0 .75rem}img{max-width:100%;max-height:12rem}\
a{color:var(--kindling-accent,#2456e8)}\
.kd-cta{display:inline-block;margin:0 .5rem .5rem 0;padding:.625rem 1.125rem;border:0;border-radius:var(--kindling-radius,8px);\
background:var(--kindling-accent,#2456e8);color:#fff;font:inherit;font-weight:600;line-height:1.25;text-decoration:none;\
white-space:nowrap;cursor:pointer}\
.kd-cta[data-kd-cta='1']{background:none;color:var(--kindling-accent,#2456e8);box-shadow:inset 0 0 0 2px}\
.kd-cta[data-kd=dismiss]{background:none;box-shadow:none;color:inherit;font-weight:400;text-decoration:underline;padding:.625rem .25rem}\
.kd-close{position:absolute;top:.25rem;right:.25rem;width:2.75rem;height:2.75rem;padding:0;border:0;border-radius:50%;\
background:none;color:inherit;font-size:1.5rem;line-height:1;cursor:pointer}\
:focus-visible{outline:3px solid var(--kindling-accent,#2456e8);outline-offset:2px}[tabindex='-1']:focus{outline:none}\
.kd-backdrop{position:fixed;inset:0;background:#0009}\
.kd-block[role]{position:fixed;max-height:calc(100vh - 2rem);box-shadow:0 4px 24px #0006}\
.kd-modal{top:50%;left:50%;transform:translate(-50%,-50%);width:min(32rem,calc(100vw - 2rem))}\
.kd-slide_in{right:1rem;bottom:1rem;max-width:min(20rem,calc(100vw - 2rem))}\
.kd-block[role=region]{left:0;right:0;padding:.5rem 3rem .5rem 1rem;border-radius:0}\
.kd-top_bar{top:var(--kindling-top-offset,0)}.kd-bottom_bar{bottom:0}\
.kd-block img{display:block;margin:0 0 1rem;max-height:10rem}\
@media (min-width:600px){[data-layout=image_beside]:has(img){display:grid;grid-template-columns:minmax(0,1fr) 2fr;\
column-gap:1.5rem;align-items:start}[data-layout=image_beside] img{grid-row:1/span 4;width:100%;max-height:16rem;\
object-fit:contain;margin:0}}\
[data-layout=image_top] img{width:calc(100% + 2 * var(--kd-pad));max-width:none;max-height:14rem;\
margin:calc(-1 * var(--kd-pad)) calc(-1 * var(--kd-pad)) 1rem;object-fit:cover}\
[data-layout=compact]{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;padding-block:.75rem}\
[data-layout=compact] h2{margin:0;font-size:1.1rem}[data-layout=compact] .kd-body p{margin:0}\
[data-layout=compact] img{display:none}[data-layout=compact] .kd-ctas{margin-left:auto}[data-layout=compact] .kd-cta{margin:0 .5rem 0 0}\
[role=region] *{display:inline;margin:0 1rem 0 0;font-size:1rem}[role=region] img{display:none}\
[role=region] .kd-cta{display:inline-block;margin:.25rem .5rem .25rem 0}\
@media (max-width:600px){[role=region] h2,[role=region] .kd-body,[role=region] .kd-ctas{display:block;margin:0 0 .25rem}}\
@keyframes kd-in{from{opacity:0}}.kd-block[role],.kd-backdrop{animation:kd-in .2s ease-out}\
@media (prefers-reduced-motion:reduce){.kd-block[role],.kd-backdrop{animation:none}}";
