//! The BILOU tag set over a list of entity labels, and its transition constraints.

/// Position of a token in an entity: Begin, Inside, Last, Unit (single token), or Outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pos {
    O,
    B,
    I,
    L,
    U,
}

/// Tag index layout: 0 = O; label `l` has B = 1 + 4l, I = 2 + 4l, L = 3 + 4l, U = 4 + 4l.
#[inline]
pub(crate) fn n_tags(n_labels: usize) -> usize {
    1 + 4 * n_labels
}

#[cfg(any(test, feature = "train"))]
#[inline]
pub(crate) fn tag(pos: Pos, label: usize) -> usize {
    match pos {
        Pos::O => 0,
        Pos::B => 1 + 4 * label,
        Pos::I => 2 + 4 * label,
        Pos::L => 3 + 4 * label,
        Pos::U => 4 + 4 * label,
    }
}

#[inline]
pub(crate) fn split(tag: usize) -> (Pos, usize) {
    if tag == 0 {
        return (Pos::O, 0);
    }
    let l = (tag - 1) / 4;
    let p = match (tag - 1) % 4 {
        0 => Pos::B,
        1 => Pos::I,
        2 => Pos::L,
        _ => Pos::U,
    };
    (p, l)
}

/// Whether `to` may follow `from` in a well-formed BILOU sequence.
pub(crate) fn allowed(from: usize, to: usize) -> bool {
    let (fp, fl) = split(from);
    let (tp, tl) = split(to);
    match fp {
        Pos::B | Pos::I => matches!(tp, Pos::I | Pos::L) && fl == tl,
        Pos::O | Pos::L | Pos::U => matches!(tp, Pos::O | Pos::B | Pos::U),
    }
}

/// Whether a sentence may start with `t`.
pub(crate) fn allowed_start(t: usize) -> bool {
    matches!(split(t).0, Pos::O | Pos::B | Pos::U)
}

/// Whether a sentence may end with `t`.
pub(crate) fn allowed_end(t: usize) -> bool {
    matches!(split(t).0, Pos::O | Pos::L | Pos::U)
}

/// BILOU tags of a sentence of `n` tokens with the given entity spans (token ranges, labels).
#[cfg(any(test, feature = "train"))]
pub(crate) fn encode(n: usize, spans: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for &(s, e, l) in spans {
        if e <= s || e > n {
            continue;
        }
        if e - s == 1 {
            out[s] = tag(Pos::U, l) as u8;
        } else {
            out[s] = tag(Pos::B, l) as u8;
            for t in &mut out[s + 1..e - 1] {
                *t = tag(Pos::I, l) as u8;
            }
            out[e - 1] = tag(Pos::L, l) as u8;
        }
    }
    out
}

/// Entity spans `(start, end, label)` (token indices) of a well-formed BILOU sequence; a
/// malformed one is read leniently (an entity ends at O, B or U, or after L/U).
pub(crate) fn decode(tags: &[u8], out: &mut Vec<(usize, usize, usize)>) {
    out.clear();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        let (p, l) = split(t as usize);
        match p {
            Pos::O => {
                if let Some((s, ol)) = open.take() {
                    out.push((s, i, ol));
                }
            }
            Pos::B | Pos::U => {
                if let Some((s, ol)) = open.take() {
                    out.push((s, i, ol));
                }
                if p == Pos::U {
                    out.push((i, i + 1, l));
                } else {
                    open = Some((i, l));
                }
            }
            Pos::I | Pos::L => {
                match open {
                    Some((_, ol)) if ol == l => {}
                    Some((s, ol)) => {
                        out.push((s, i, ol));
                        open = Some((i, l));
                    }
                    None => open = Some((i, l)),
                }
                if p == Pos::L {
                    if let Some((s, ol)) = open.take() {
                        out.push((s, i + 1, ol));
                    }
                }
            }
        }
    }
    if let Some((s, ol)) = open {
        out.push((s, tags.len(), ol));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let spans = vec![(0, 1, 2), (2, 5, 0), (5, 7, 1)];
        let tags = encode(8, &spans);
        let mut back = Vec::new();
        decode(&tags, &mut back);
        assert_eq!(back, spans);
        for w in tags.windows(2) {
            assert!(allowed(w[0] as usize, w[1] as usize));
        }
        assert!(!allowed(tag(Pos::B, 0), tag(Pos::O, 0)));
        assert!(!allowed(tag(Pos::B, 0), tag(Pos::I, 1)));
        assert!(allowed_start(tag(Pos::U, 3)) && !allowed_start(tag(Pos::L, 3)));
        assert!(allowed_end(tag(Pos::L, 3)) && !allowed_end(tag(Pos::B, 3)));
    }

    #[test]
    fn lenient_decoding() {
        let mut out = Vec::new();
        // I without B, and B without L.
        decode(&[tag(Pos::I, 1) as u8, 0, tag(Pos::B, 2) as u8], &mut out);
        assert_eq!(out, vec![(0, 1, 1), (2, 3, 2)]);
    }
}
