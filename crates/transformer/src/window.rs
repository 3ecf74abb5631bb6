//! From a document's words to model windows.
//!
//! The document's words (caveat's tokens) are split into subwords in one call of the tokenizer,
//! as pre-split words (`is_split_into_words=True` in `transformers`): WordPiece (BERT,
//! DistilBERT), byte-level BPE (RoBERTa; each word gets its leading space, `Ġ`) and
//! SentencePiece Unigram (XLM-RoBERTa; each word gets its `▁`) all map subwords to words the
//! same way. Windows are framed by `[CLS]`…`[SEP]` or `<s>`…`</s>`, whichever the vocabulary
//! has.
//! Sentences are packed into windows of at most `max_length` subwords including `[CLS]` and
//! `[SEP]`, so the model sees neighbouring sentences as context (`models/ner-minilm` was trained
//! on windows packed the same way). A sentence longer than a window is cut into pieces whose
//! predicted ("owned") words are surrounded by up to `stride` subwords of context on each side.
//! Labels are read from each word's first subword.

use std::ops::Range;

use tokenizers::Tokenizer;

use crate::TransformerError;

/// The casing class of a word, used as its token type id by models whose `config.json` has
/// `"caveat_casing_type_ids": true`: 0 no capital letters, 1 Capitalised (first character
/// upper case), 2 ALL CAPS (two or more letters, all upper case), 3 any other mixed case.
pub fn casing(word: &str) -> u32 {
    let (mut letters, mut upper) = (0usize, 0usize);
    for c in word.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    if upper == 0 {
        0
    } else if letters >= 2 && upper == letters {
        2
    } else if word.chars().next().is_some_and(char::is_uppercase) {
        1
    } else {
        3
    }
}

/// How windows are made.
#[derive(Debug, Clone, Copy)]
pub struct WindowOptions {
    /// Longest window in subwords, `[CLS]` and `[SEP]` included.
    pub max_length: usize,
    /// Context (in subwords) on each side of the owned part of a cut sentence.
    pub stride: usize,
    /// Pack consecutive sentences into one window (`false`: one sentence per window).
    pub pack: bool,
    /// Token type ids carry casing classes.
    pub casing: bool,
}

/// One model input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Window {
    /// Subword ids, `[CLS]` and `[SEP]` included.
    pub ids: Vec<u32>,
    /// Token type ids, one per subword.
    pub type_ids: Vec<u32>,
    /// `(word index in the document, position of its first subword)` for each word this
    /// window predicts.
    pub predicts: Vec<(usize, usize)>,
}

/// Special token ids.
#[derive(Debug, Clone, Copy)]
pub struct Specials {
    /// `[CLS]` (BERT, DistilBERT) or `<s>` (RoBERTa, XLM-RoBERTa).
    pub cls: u32,
    /// `[SEP]` or `</s>`.
    pub sep: u32,
    /// `[PAD]` or `<pad>`: fills a batch's short windows.
    pub pad: u32,
}

impl Specials {
    /// Look the special tokens up in the tokenizer's vocabulary; the padding id is
    /// `pad_token_id` of `config.json` when given, else `[PAD]`/`<pad>`, else 0.
    pub fn of(tokenizer: &Tokenizer, pad_token_id: Option<u32>) -> Option<Specials> {
        let find = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
        Some(Specials {
            cls: find(&["[CLS]", "<s>"])?,
            sep: find(&["[SEP]", "</s>"])?,
            pad: pad_token_id
                .or_else(|| find(&["[PAD]", "<pad>"]))
                .unwrap_or(0),
        })
    }
}

/// A run of words that goes into one window: `words` are encoded, `owned` are predicted.
#[derive(Debug, Clone)]
struct Piece {
    words: Range<usize>,
    owned: Range<usize>,
}

/// Split a document into windows. `sentences` are word ranges in order; words outside every
/// sentence are not predicted.
pub fn windows(
    tokenizer: &Tokenizer,
    specials: Specials,
    words: &[&str],
    sentences: &[Range<usize>],
    opts: WindowOptions,
) -> Result<Vec<Window>, TransformerError> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let budget = opts.max_length.saturating_sub(2).max(1);
    let enc = tokenizer
        .encode(words, false)
        .map_err(|e| TransformerError::Tokenizer(e.to_string()))?;
    // Subword ids of each word, cut to the budget.
    let mut starts = vec![0usize; words.len() + 1];
    let mut flat: Vec<u32> = Vec::with_capacity(enc.get_ids().len());
    {
        let mut per_word: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
        for (&id, w) in enc.get_ids().iter().zip(enc.get_word_ids()) {
            if let Some(w) = w.map(|w| w as usize).filter(|&w| w < words.len()) {
                if per_word[w].len() < budget {
                    per_word[w].push(id);
                }
            }
        }
        for (w, ids) in per_word.iter().enumerate() {
            flat.extend_from_slice(ids);
            starts[w + 1] = flat.len();
        }
    }
    let len = |r: &Range<usize>| starts[r.end] - starts[r.start];

    // Pieces: whole sentences, or owned parts of a long sentence with context.
    let mut pieces: Vec<Piece> = Vec::new();
    for s in sentences {
        let s = s.start.min(words.len())..s.end.min(words.len());
        if s.is_empty() {
            continue;
        }
        if len(&s) <= budget {
            pieces.push(Piece {
                words: s.clone(),
                owned: s,
            });
            continue;
        }
        let stride = opts.stride.min(budget / 4);
        let cap = budget - 2 * stride;
        let mut i = s.start;
        while i < s.end {
            let mut j = i + 1;
            while j < s.end && len(&(i..j + 1)) <= cap {
                j += 1;
            }
            let room = budget - len(&(i..j));
            let mut a = i;
            while a > 0 && len(&(a - 1..i)) <= (room / 2).min(stride) {
                a -= 1;
            }
            let room = room - len(&(a..i));
            let mut b = j;
            while b < words.len() && len(&(j..b + 1)) <= room.min(stride) {
                b += 1;
            }
            pieces.push(Piece {
                words: a..b,
                owned: i..j,
            });
            i = j;
        }
    }

    // Pack whole sentences; cut pieces stand alone.
    let mut out = Vec::new();
    let mut group: Vec<Piece> = Vec::new();
    let mut used = 0;
    let whole = |p: &Piece| p.words == p.owned;
    for p in pieces {
        let n = len(&p.words);
        let joins = opts.pack && whole(&p) && group.iter().all(whole) && used + n <= budget;
        if !group.is_empty() && !joins {
            out.push(build(&group, &starts, &flat, words, specials, opts.casing));
            group.clear();
            used = 0;
        }
        used += n;
        group.push(p);
    }
    if !group.is_empty() {
        out.push(build(&group, &starts, &flat, words, specials, opts.casing));
    }
    Ok(out)
}

fn build(
    group: &[Piece],
    starts: &[usize],
    flat: &[u32],
    words: &[&str],
    specials: Specials,
    casing_types: bool,
) -> Window {
    let mut w = Window::default();
    w.ids.push(specials.cls);
    w.type_ids.push(0);
    for p in group {
        for word in p.words.clone() {
            let sub = &flat[starts[word]..starts[word + 1]];
            if sub.is_empty() {
                continue;
            }
            if p.owned.contains(&word) {
                w.predicts.push((word, w.ids.len()));
            }
            let ty = if casing_types { casing(words[word]) } else { 0 };
            w.ids.extend_from_slice(sub);
            w.type_ids.extend(std::iter::repeat_n(ty, sub.len()));
        }
    }
    w.ids.push(specials.sep);
    w.type_ids.push(0);
    w
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one sentence spanning all words
mod tests {
    use super::*;

    /// A BERT-style WordPiece tokenizer over a tiny vocabulary, as `tokenizer.json` text.
    pub(crate) fn tiny_tokenizer_json() -> String {
        let vocab = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "nis", "alleges", "reuters", "said", ".",
            "##s", "john", "smith", "new", "york", "un", "##believ", "##able", "a",
        ];
        let vocab: serde_json::Map<String, serde_json::Value> = vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i.into()))
            .collect();
        serde_json::json!({
            "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
            "normalizer": {"type": "BertNormalizer", "clean_text": true,
                "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": null, "decoder": null,
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100, "vocab": vocab}
        })
        .to_string()
    }

    fn tiny_tokenizer() -> Tokenizer {
        tiny_tokenizer_json().parse().unwrap()
    }

    fn opts(max_length: usize, pack: bool) -> WindowOptions {
        WindowOptions {
            max_length,
            stride: 2,
            pack,
            casing: true,
        }
    }

    #[test]
    fn casing_classes() {
        assert_eq!(casing("reuters"), 0);
        assert_eq!(casing("1996"), 0);
        assert_eq!(casing("Reuters"), 1);
        assert_eq!(casing("NIS"), 2);
        assert_eq!(casing("U.S."), 2);
        assert_eq!(casing("A"), 1);
        assert_eq!(casing("iPhone"), 3);
        assert_eq!(casing("Ölkonzern"), 1);
    }

    #[test]
    fn sentences_are_packed_and_every_word_predicted_once() {
        let tok = tiny_tokenizer();
        let sp = Specials::of(&tok, None).unwrap();
        let words = ["The", "NIS", "alleges", ".", "Reuters", "said", "."];
        let sents = [0..4, 4..7];
        let ws = windows(&tok, sp, &words, &sents, opts(16, true)).unwrap();
        assert_eq!(ws.len(), 1);
        assert_eq!(ws[0].ids[0], 2);
        assert_eq!(*ws[0].ids.last().unwrap(), 3);
        assert_eq!(ws[0].type_ids[1..4], [1, 2, 0]);
        let predicted: Vec<usize> = ws[0].predicts.iter().map(|p| p.0).collect();
        assert_eq!(predicted, (0..7).collect::<Vec<_>>());
        let ws = windows(&tok, sp, &words, &sents, opts(16, false)).unwrap();
        assert_eq!(ws.len(), 2);
    }

    #[test]
    fn long_sentences_are_cut_with_context() {
        let tok = tiny_tokenizer();
        let sp = Specials::of(&tok, None).unwrap();
        let words: Vec<&str> = ["john", "smith", "said", "the", "nis", "alleges"]
            .iter()
            .cycle()
            .take(40)
            .copied()
            .collect();
        let ws = windows(&tok, sp, &words, &[0..40], opts(12, true)).unwrap();
        assert!(ws.len() > 4);
        let mut seen = vec![0; 40];
        for w in &ws {
            assert!(w.ids.len() <= 12, "window of {}", w.ids.len());
            for &(word, pos) in &w.predicts {
                seen[word] += 1;
                assert!(pos > 0 && pos < w.ids.len() - 1);
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
        // Some window predicts words in its middle only: context on both sides.
        assert!(ws.iter().any(|w| w.predicts[0].1 > 1));
    }

    #[test]
    fn subword_positions_and_odd_words() {
        let tok = tiny_tokenizer();
        let sp = Specials::of(&tok, None).unwrap();
        // "unbelievable" is three subwords; "\u{0}" has none; an unknown word is [UNK].
        let words = ["unbelievable", "\u{0}", "zzz", "nis"];
        let ws = windows(&tok, sp, &words, &[0..4], opts(32, true)).unwrap();
        assert_eq!(ws[0].ids, [2, 15, 16, 17, 1, 5, 3]);
        assert_eq!(ws[0].predicts, [(0, 1), (2, 4), (3, 5)]);
        assert!(windows(&tok, sp, &[], &[], opts(32, true))
            .unwrap()
            .is_empty());
        // Sentences past the end of the words are clamped, not a panic.
        assert_eq!(
            windows(&tok, sp, &words, &[2..9], opts(32, true))
                .unwrap()
                .len(),
            1
        );
    }
}
