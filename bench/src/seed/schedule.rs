//! Every visit of the history in start order, and the requests they make in arrival
//! order: visits are generated one after another by start time, and their requests
//! (which last minutes past the start) wait in a heap until no later visit can send
//! anything earlier, so requests come out in exact time order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::rhythm::Window;
use super::visitor::Visitor;

/// One visit to generate: when it starts, whose it is, which of theirs, on which device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlannedVisit {
    pub start_ms: i64,
    pub visitor: u32,
    pub visit: u16,
    pub device: u8,
}

/// The visits of `visitors` visitors, sorted by start.
pub fn plan(seed: u64, visitors: u32, window: &Window) -> Vec<PlannedVisit> {
    let mut visits = Vec::with_capacity(visitors as usize * 3 / 2);
    for index in 0..visitors {
        let visitor = Visitor::of(seed, index, window);
        for (visit, start_ms) in visitor.visits.iter().enumerate() {
            let visit = u16::try_from(visit).unwrap_or(u16::MAX);
            visits.push(PlannedVisit { start_ms: *start_ms, visitor: index, visit, device: 0 });
        }
        if let Some(at) = visitor.lead.as_ref().and_then(|lead| lead.second_device_at) {
            visits.push(PlannedVisit { start_ms: at, visitor: index, visit: 0, device: 1 });
        }
    }
    visits.sort_unstable();
    visits
}

/// Items waiting to come out in time order (ties in the order they went in).
pub struct InOrder<T> {
    heap: BinaryHeap<Entry<T>>,
    pushed: u64,
}

struct Entry<T> {
    at_ms: i64,
    order: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ms, self.order) == (other.at_ms, other.order)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Reversed: the heap's top is the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at_ms, other.order).cmp(&(self.at_ms, self.order))
    }
}

impl<T> InOrder<T> {
    pub fn new() -> Self {
        InOrder { heap: BinaryHeap::new(), pushed: 0 }
    }

    pub fn push(&mut self, at_ms: i64, item: T) {
        self.heap.push(Entry { at_ms, order: self.pushed, item });
        self.pushed += 1;
    }

    /// The earliest item if it is due at or before `until_ms`.
    pub fn pop_until(&mut self, until_ms: i64) -> Option<T> {
        if self.heap.peek().is_some_and(|entry| entry.at_ms <= until_ms) {
            self.heap.pop().map(|entry| entry.item)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_in_time_order() {
        let mut queue = InOrder::new();
        for at in [5, 1, 3, 3, 2] {
            queue.push(at, at);
        }
        let mut out = Vec::new();
        while let Some(item) = queue.pop_until(i64::MAX) {
            out.push(item);
        }
        assert_eq!(out, [1, 2, 3, 3, 5]);
    }
}
