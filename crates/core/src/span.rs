use std::ops::Range;

/// A half-open byte range `start..end` into a document's text.
///
/// Invariants (checked by [`Span::new`] in debug builds, and by the property tests of the
/// stages): `start <= end`, and both ends lie on UTF-8 character boundaries of the text the
/// span belongs to. Spans are never shifted or rewritten once created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    #[inline]
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span start {start} > end {end}");
        Span { start, end }
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The covered slice of `text`.
    ///
    /// # Panics
    /// When the span is out of bounds or not on character boundaries of `text`, i.e. when the
    /// span does not belong to this text.
    #[inline]
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// Whether the two spans share at least one byte.
    #[inline]
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies entirely inside this span.
    #[inline]
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both.
    #[inline]
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// As a `Range<usize>`.
    #[inline]
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_and_relations() {
        let text = "Kim Jong-un said";
        let s = Span::new(4, 11);
        assert_eq!(s.slice(text), "Jong-un");
        assert_eq!(s.len(), 7);
        assert!(s.overlaps(Span::new(10, 12)));
        assert!(!s.overlaps(Span::new(11, 12)));
        assert!(s.contains(Span::new(4, 8)));
        assert_eq!(s.cover(Span::new(0, 3)), Span::new(0, 11));
        assert!(Span::new(3, 3).is_empty());
    }
}
