/// Converts byte offsets of a text into Unicode code-point offsets.
///
/// Spans are byte ranges internally; the output edge reports code points (so that
/// `text[start:end]` in Python is the span). For ASCII text the mapping is the identity and
/// costs nothing. Otherwise the map stores the code-point count at the start of every
/// 128-byte block (4 bytes per block, i.e. ~3% of the text), and a lookup counts the
/// characters inside one block: O(1) time, and no cost that grows faster than the text.
#[derive(Clone, Debug)]
pub struct CharMap<'t> {
    text: &'t [u8],
    /// `None` for ASCII text; else the code-point count before each block.
    blocks: Option<Vec<u32>>,
}

const BLOCK: usize = 128;

#[inline]
fn is_char_start(b: u8) -> bool {
    // Continuation bytes are 0b10xx_xxxx.
    (b as i8) >= -0x40
}

impl<'t> CharMap<'t> {
    /// Build the map for `text`.
    pub fn new(text: &'t str) -> CharMap<'t> {
        let bytes = text.as_bytes();
        if bytes.is_ascii() {
            return CharMap {
                text: bytes,
                blocks: None,
            };
        }
        let mut blocks = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0u32;
        for chunk in bytes.chunks(BLOCK) {
            blocks.push(count);
            count += chunk.iter().filter(|&&b| is_char_start(b)).count() as u32;
        }
        CharMap {
            text: bytes,
            blocks: Some(blocks),
        }
    }

    /// The code-point offset of byte offset `byte` (which must be a char boundary or the end).
    #[inline]
    pub fn char_offset(&self, byte: usize) -> usize {
        match &self.blocks {
            None => byte,
            Some(blocks) => {
                let block = byte / BLOCK;
                if block >= blocks.len() {
                    // `byte` is the end of a text whose length is a multiple of BLOCK.
                    let last = blocks.len() - 1;
                    return blocks[last] as usize + self.count(last * BLOCK, byte);
                }
                blocks[block] as usize + self.count(block * BLOCK, byte)
            }
        }
    }

    #[inline]
    fn count(&self, from: usize, to: usize) -> usize {
        self.text[from..to]
            .iter()
            .filter(|&&b| is_char_start(b))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) {
        let map = CharMap::new(text);
        let mut chars = 0;
        for (i, _) in text.char_indices() {
            assert_eq!(map.char_offset(i), chars, "byte {i} of {text:?}");
            chars += 1;
        }
        assert_eq!(map.char_offset(text.len()), chars);
    }

    #[test]
    fn ascii_is_identity() {
        check("plain ascii text");
        check("");
    }

    #[test]
    fn multibyte_text_maps_to_code_points() {
        check("Mikhaylov’s “claims” — 76% of €1,000 😀 e\u{301}");
        let long: String = "aé😀—".repeat(200);
        check(&long);
        // Text whose length is an exact multiple of the block size.
        let exact = "é".repeat(BLOCK);
        check(&exact);
    }
}
