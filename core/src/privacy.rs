//! Whether the widget may track a visitor and keep anything on their device.
//!
//! A site runs in one of two consent modes. With `required`, nothing is stored or sent
//! until the visitor grants analytics consent through the API. With `implied`,
//! tracking runs unless the visitor declined. In both modes Global Privacy Control
//! and Do Not Track stop tracking, unless the visitor explicitly granted consent to
//! this site (a specific grant outranks a general browser signal, as in most consent
//! managers).

use serde::{Deserialize, Serialize};

/// The site's consent mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMode {
    /// Nothing is stored or sent before consent is granted.
    Required,
    /// Tracking runs unless the visitor declines.
    #[default]
    Implied,
}

/// The visitor's answer so far, through `kindling('consent', {analytics})`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Choice {
    #[default]
    NotAsked,
    Granted,
    Declined,
}

/// Privacy signals the browser sends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// `navigator.globalPrivacyControl`.
    pub global_privacy_control: bool,
    /// `navigator.doNotTrack == "1"`.
    pub do_not_track: bool,
}

/// True when the widget may store ids on the device and send events.
pub fn may_track(mode: ConsentMode, choice: Choice, signals: Signals) -> bool {
    match choice {
        Choice::Granted => true,
        Choice::Declined => false,
        Choice::NotAsked => {
            mode == ConsentMode::Implied && !signals.global_privacy_control && !signals.do_not_track
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Signals = Signals { global_privacy_control: false, do_not_track: false };
    const GPC: Signals = Signals { global_privacy_control: true, do_not_track: false };
    const DNT: Signals = Signals { global_privacy_control: false, do_not_track: true };

    #[test]
    fn required_mode_waits_for_a_grant() {
        assert!(!may_track(ConsentMode::Required, Choice::NotAsked, NONE));
        assert!(!may_track(ConsentMode::Required, Choice::Declined, NONE));
        assert!(may_track(ConsentMode::Required, Choice::Granted, NONE));
    }

    #[test]
    fn implied_mode_tracks_until_declined() {
        assert!(may_track(ConsentMode::Implied, Choice::NotAsked, NONE));
        assert!(!may_track(ConsentMode::Implied, Choice::Declined, NONE));
    }

    #[test]
    fn browser_signals_stop_tracking_unless_consent_was_granted() {
        for signals in [GPC, DNT] {
            assert!(!may_track(ConsentMode::Implied, Choice::NotAsked, signals));
            assert!(may_track(ConsentMode::Implied, Choice::Granted, signals));
            assert!(may_track(ConsentMode::Required, Choice::Granted, signals));
        }
    }
}
