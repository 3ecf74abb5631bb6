//! Links between layers: citing chains between attributions, sources to entities, and
//! hedges to the attribution they belong to.

use caveat_core::{Attribution, Document};

use super::features::DocFeatures;
use super::words::C_CITE;

/// "Reuters, citing the NIS, reported X": the citing attribution (source the NIS, cue
/// "citing") becomes the inner one; the outer attribution (Reuters ... reported) gets
/// `cites = Some(inner)`, and the inner one gets the outer one's content.
pub(super) fn link_chains(df: &DocFeatures, atts: &mut [Attribution], heads: &[usize]) {
    for i in 0..atts.len() {
        if df.toks[heads[i]].class != C_CITE {
            continue;
        }
        // The nearest other attribution of the same sentence.
        let cue_i = atts[i].cue.map_or(0, |c| c.start);
        let mut best: Option<(usize, usize)> = None;
        for dk in 1..=3usize {
            for k in [i.wrapping_sub(dk), i + dk] {
                if k < atts.len()
                    && atts[k].sentence == atts[i].sentence
                    && df.toks[heads[k]].class != C_CITE
                {
                    let d = atts[k].cue.map_or(usize::MAX, |c| c.start.abs_diff(cue_i));
                    if best.is_none_or(|(_, bd)| d < bd) {
                        best = Some((k, d));
                    }
                }
            }
        }
        if let Some((k, _)) = best {
            atts[k].cites = Some(i);
            // The cited source is the source of the outer attribution's content.
            if atts[k].content.is_some() {
                atts[i].content = atts[k].content;
            }
        }
    }
}

/// Set `source_entity` to the first entity overlapping the source.
pub(super) fn link_entities(doc: &Document, atts: &mut [Attribution]) {
    if doc.entities.is_empty() {
        return;
    }
    for a in atts {
        if let Some(src) = a.source {
            let k = doc.entities.partition_point(|e| e.span.end <= src.start);
            a.source_entity = doc.entities[k..]
                .iter()
                .take_while(|e| e.span.start < src.end)
                .position(|e| e.span.overlaps(src))
                .map(|p| p + k);
        }
    }
}

/// Attributions looked at on each side of a hedge (in cue order), which keeps pathological
/// one-sentence documents linear.
const HEDGE_WINDOW: usize = 32;

/// Set `Hedge.attribution` for hedges that are an attribution's cue or source, or lie in its
/// content (contents may run over several sentences): a hedge belongs to the attribution
/// whose cue or source it overlaps, else to the one with the shortest content containing it
/// (on a tie, the outer one of a citing chain), among the [`HEDGE_WINDOW`] attributions on
/// each side of it in cue order.
pub(super) fn link_hedges(doc: &mut Document, base: usize) {
    if doc.hedges.is_empty() || doc.attributions.len() == base {
        return;
    }
    let atts = &doc.attributions[base..];
    for h in doc.hedges.iter_mut() {
        let at = atts.partition_point(|a| a.cue.is_some_and(|c| c.start < h.span.start));
        let lo = at.saturating_sub(HEDGE_WINDOW);
        let hi = (at + HEDGE_WINDOW).min(atts.len());
        let mut found = None;
        let mut best_len = usize::MAX;
        for (k, a) in atts[lo..hi].iter().enumerate() {
            if a.cue.is_some_and(|c| c.overlaps(h.span)) {
                found = Some(lo + k);
                break;
            }
            if a.source.is_some_and(|c| c.overlaps(h.span)) {
                found = Some(lo + k);
                best_len = 0;
                continue;
            }
            if let Some(c) = a.content {
                let inside = c.start <= h.span.start && h.span.end <= c.end;
                if inside && (c.len() < best_len || (c.len() == best_len && a.cites.is_some())) {
                    best_len = c.len();
                    found = Some(lo + k);
                }
            }
        }
        h.attribution = found.map(|k| base + k);
    }
}
