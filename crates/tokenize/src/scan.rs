//! The word tokenizer: a hand-written scanner over bytes with an ASCII fast path.

use caveat_core::{Span, Token, TokenKind};
use unicode_general_category::{get_general_category, GeneralCategory as Gc};

use crate::abbrev::{self, AbbrevClass};

const WS: u8 = 1;
const ALPHA: u8 = 2;
const DIGIT: u8 = 4;
const UPPER: u8 = 8;
const ALNUM: u8 = ALPHA | DIGIT;

/// Class bits of every ASCII byte (0 for bytes >= 0x80).
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_uppercase() {
            ALPHA | UPPER
        } else if c.is_ascii_lowercase() {
            ALPHA
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) {
            // Exactly the ASCII characters for which `char::is_whitespace` is true.
            WS
        } else {
            0
        };
        i += 1;
    }
    t
};

#[inline]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

#[inline]
fn is_mark(ch: char) -> bool {
    matches!(
        get_general_category(ch),
        Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark
    )
}

/// Non-ASCII characters that continue a word: letters, digits, combining marks, zero-width
/// (non-)joiners and the soft hyphen.
#[inline]
fn is_word_char_nonascii(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '\u{AD}' | '\u{200C}' | '\u{200D}') || is_mark(ch)
}

/// Split `text` into tokens, replacing the contents of `out`.
///
/// See the crate documentation for the rules. Every token is a non-empty byte range of `text`
/// on character boundaries without white space; tokens are sorted, do not overlap, and
/// together cover every character that is not white space (`char::is_whitespace`).
///
/// ```
/// let text = "Mikhaylov’s U.S. unit didn't pay $1.13bn.";
/// let mut tokens = Vec::new();
/// caveat_tokenize::tokenize(text, &mut tokens);
/// let words: Vec<&str> = tokens.iter().map(|t| t.span.slice(text)).collect();
/// assert_eq!(
///     words,
///     ["Mikhaylov", "’s", "U.S.", "unit", "did", "n't", "pay", "$", "1.13bn", "."]
/// );
/// ```
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    out.reserve(text.len() / 5 + 1);
    Scanner {
        text,
        b: text.as_bytes(),
        out,
    }
    .run();
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    out: &'a mut Vec<Token>,
}

/// What an apostrophe inside a word does.
enum Apostrophe {
    /// It is part of the word (`O'Brien`); scanning goes on at the given byte.
    Continue(usize),
    /// A clitic was split off and both tokens were pushed; the next token starts here.
    Split(usize),
    /// The word ends before the apostrophe (`users' `).
    Stop,
}

impl Scanner<'_> {
    #[inline]
    fn push(&mut self, start: usize, end: usize, kind: TokenKind) {
        self.out.push(Token {
            span: Span::new(start, end),
            kind,
        });
    }

    /// The character at byte `i` (which must be a char boundary below the text length).
    #[inline]
    fn char_at(&self, i: usize) -> char {
        let c = self.b[i];
        if c < 0x80 {
            c as char
        } else {
            self.text[i..].chars().next().unwrap_or('\u{FFFD}')
        }
    }

    /// Whether a word character starts at byte `i` (false at the end of the text).
    #[inline]
    fn word_char_at(&self, i: usize) -> bool {
        match self.b.get(i) {
            None => false,
            Some(&c) if c < 0x80 => class(c) & ALNUM != 0,
            Some(_) => is_word_char_nonascii(self.char_at(i)),
        }
    }

    #[inline]
    fn digit_at(&self, i: usize) -> bool {
        self.b.get(i).is_some_and(|c| c.is_ascii_digit())
    }

    fn run(&mut self) {
        let n = self.b.len();
        let mut i = 0;
        while i < n {
            let c = self.b[i];
            if c < 0x80 {
                let cl = class(c);
                if cl & WS != 0 {
                    i += 1;
                } else if cl & ALNUM != 0 {
                    i = self.word(i, i);
                } else {
                    i = self.ascii_other(i, c);
                }
            } else {
                let ch = self.char_at(i);
                if ch.is_whitespace() {
                    i += ch.len_utf8();
                } else if ch.is_alphanumeric() {
                    i = self.word(i, i);
                } else {
                    i = self.unicode_other(i, ch);
                }
            }
        }
    }

    /// The end of the run of word characters starting at `i`.
    #[inline]
    fn word_chars(&self, mut i: usize) -> usize {
        let n = self.b.len();
        loop {
            while i < n && class(self.b[i]) & ALNUM != 0 {
                i += 1;
            }
            if i < n && self.b[i] >= 0x80 {
                let ch = self.char_at(i);
                if is_word_char_nonascii(ch) {
                    i += ch.len_utf8();
                    continue;
                }
            }
            return i;
        }
    }

    #[inline]
    fn word_kind(&self, start: usize) -> TokenKind {
        let c = self.b[start];
        if c.is_ascii_digit()
            || c == b'+'
            || c == b'.'
            || (c >= 0x80 && self.char_at(start).is_numeric())
        {
            TokenKind::Number
        } else {
            TokenKind::Word
        }
    }

    /// Scan a word or number whose token starts at `start` and whose characters start at
    /// `from` (they differ only for a leading `+` or `.` before a digit); push it and return
    /// where it ends.
    fn word(&mut self, start: usize, from: usize) -> usize {
        let b = self.b;
        let n = b.len();
        if start == from && matches!(b[start], b'h' | b'H' | b'w' | b'W' | b'f' | b'F') {
            if let Some(end) = self.url(start) {
                self.push(start, end, TokenKind::Url);
                return end;
            }
        }
        let mut i = from;
        loop {
            i = self.word_chars(i);
            if i >= n {
                break;
            }
            match b[i] {
                b'-' if self.word_char_at(i + 1) => {
                    i += 1;
                    continue;
                }
                b'.' => {
                    if self.word_char_at(i + 1) {
                        i += 1;
                        continue;
                    }
                    if self.keeps_period(start, i) || self.list_number(start, i) {
                        i += 1;
                        // `U.S.-led`
                        if b.get(i) == Some(&b'-') && self.word_char_at(i + 1) {
                            i += 1;
                            continue;
                        }
                    }
                }
                b',' | b':' | b'/' if b[i - 1].is_ascii_digit() && self.digit_at(i + 1) => {
                    i += 1;
                    continue;
                }
                b'&' if class(b[i - 1]) & UPPER != 0
                    && b.get(i + 1).is_some_and(|&c| class(c) & UPPER != 0) =>
                {
                    i += 1;
                    continue;
                }
                b'\'' => match self.apostrophe(start, i, 1) {
                    Apostrophe::Continue(j) => {
                        i = j;
                        continue;
                    }
                    Apostrophe::Split(end) => return end,
                    Apostrophe::Stop => {}
                },
                // Pages flattened to text with a straight double quote for the apostrophe
                // (`didn"t`, `Trump"s`): a clitic is split off as after `'`; anything else
                // (`said"Yes`) stays a quotation mark.
                b'"' if b[i - 1].is_ascii_alphabetic() => {
                    if let Apostrophe::Split(end) = self.apostrophe(start, i, 1) {
                        return end;
                    }
                }
                b'@' | b'_' | b'+' | b'%' => {
                    if let Some(end) = self.email(start) {
                        self.push(start, end, TokenKind::Email);
                        return end;
                    }
                }
                b'$' => {
                    // `US$`, `C$`, `HK$`
                    let w = &b[start..i];
                    if w.len() <= 3 && w.iter().all(|c| c.is_ascii_uppercase()) {
                        self.push(start, i + 1, TokenKind::Symbol);
                        return i + 1;
                    }
                }
                0x80.. => match self.char_at(i) {
                    '’' => match self.apostrophe(start, i, 3) {
                        Apostrophe::Continue(j) => {
                            i = j;
                            continue;
                        }
                        Apostrophe::Split(end) => return end,
                        Apostrophe::Stop => {}
                    },
                    '\u{2010}' | '\u{2011}' if self.word_char_at(i + 3) => {
                        i += 3;
                        continue;
                    }
                    _ => {}
                },
                _ => {}
            }
            break;
        }
        let kind = self.word_kind(start);
        self.push(start, i, kind);
        i
    }

    /// Whether `text[start..dot]` is the number of a numbered list item (`1. Steffi Graf`): at
    /// most three digits at the start of a line, the period followed by a space.
    fn list_number(&self, start: usize, dot: usize) -> bool {
        let b = self.b;
        if dot - start > 3
            || !b[start..dot].iter().all(u8::is_ascii_digit)
            || !matches!(b.get(dot + 1), Some(b' ' | b'\t'))
        {
            return false;
        }
        let before = b[..start].iter().rev().find(|&&c| c != b' ' && c != b'\t');
        matches!(before, None | Some(b'\n' | b'\r'))
    }

    /// Whether the period at `dot` ends the abbreviation `text[start..dot]` and belongs to it.
    fn keeps_period(&self, start: usize, dot: usize) -> bool {
        let w = &self.b[start..dot];
        if w.contains(&b'.') {
            // Initialisms: `U.S`, `a.m`, `e.g`, `Ph.D`, `m.p.h`, `R-N.C`.
            return w.split(|&c| c == b'.' || c == b'-').all(|seg| {
                (1..=2).contains(&seg.len()) && seg.iter().all(u8::is_ascii_alphabetic)
            });
        }
        let mut chars = self.text[start..dot].chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c.is_uppercase() {
                // An initial: `J. K. Rowling`.
                return true;
            }
        }
        match abbrev::lookup(w) {
            None => false,
            Some(AbbrevClass::BeforeNumber) => {
                // `No. 5`: the next non-blank character (on the same line) is a digit.
                let rest = &self.b[dot + 1..];
                let k = rest.iter().take(4).take_while(|&&c| c == b' ').count();
                rest.get(k).is_some_and(u8::is_ascii_digit)
            }
            Some(_) => true,
        }
    }

    /// Handle an apostrophe of `len` bytes at `i`, inside the word starting at `start`.
    fn apostrophe(&mut self, start: usize, i: usize, len: usize) -> Apostrophe {
        let b = self.b;
        let j = i + len;
        let kind = self.word_kind(start);
        if let Some(k) = self.clitic_at(j) {
            self.push(start, i, kind);
            self.push(i, k, TokenKind::Word);
            return Apostrophe::Split(k);
        }
        // `n't`
        if i - start >= 2
            && b[i - 1] | 0x20 == b'n'
            && b.get(j).is_some_and(|&c| c | 0x20 == b't')
            && !self.word_char_at(j + 1)
        {
            self.push(start, i - 1, kind);
            self.push(i - 1, j + 1, TokenKind::Word);
            return Apostrophe::Split(j + 1);
        }
        if self.word_char_at(j) {
            Apostrophe::Continue(j)
        } else {
            Apostrophe::Stop
        }
    }

    /// The end of a URL starting at `start` (`http://`, `https://`, `ftp://`, `www.`).
    fn url(&self, start: usize) -> Option<usize> {
        let b = self.b;
        let rest = &b[start..];
        let starts = |p: &[u8]| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        let prefix = if starts(b"http://") {
            7
        } else if starts(b"https://") {
            8
        } else if starts(b"ftp://") {
            6
        } else if starts(b"www.") && class(rest[4]) & ALNUM != 0 {
            4
        } else {
            return None;
        };
        let body = start + prefix;
        let mut i = body;
        let (mut parens, mut brackets) = (0isize, 0isize);
        while i < b.len() {
            let c = b[i];
            if c < 0x80 {
                if class(c) & WS != 0 || c < 0x20 || matches!(c, b'"' | b'<' | b'>' | b'`' | 0x7F) {
                    break;
                }
                match c {
                    b'(' => parens += 1,
                    b')' => parens -= 1,
                    b'[' => brackets += 1,
                    b']' => brackets -= 1,
                    _ => {}
                }
                i += 1;
            } else {
                let ch = self.char_at(i);
                if !is_word_char_nonascii(ch) {
                    break;
                }
                i += ch.len_utf8();
            }
        }
        // Trailing punctuation belongs to the sentence, not the URL.
        while i > body {
            match b[i - 1] {
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' => {}
                b')' if parens < 0 => parens += 1,
                b']' if brackets < 0 => brackets += 1,
                _ => break,
            }
            i -= 1;
        }
        (i > body).then_some(i)
    }

    /// The end of an e-mail address starting at `start`, if one does.
    fn email(&self, start: usize) -> Option<usize> {
        let b = self.b;
        let n = b.len();
        let mut i = start;
        while i < n
            && (class(b[i]) & ALNUM != 0 || matches!(b[i], b'.' | b'_' | b'%' | b'+' | b'-'))
        {
            i += 1;
        }
        if i == start || i >= n || b[i] != b'@' {
            return None;
        }
        let mut j = i + 1;
        let mut labels = 0;
        let mut last = j..j;
        loop {
            let l = j;
            while j < n && (class(b[j]) & ALNUM != 0 || b[j] == b'-') {
                j += 1;
            }
            if j == l {
                return None;
            }
            labels += 1;
            last = l..j;
            if j + 1 < n && b[j] == b'.' && class(b[j + 1]) & ALNUM != 0 {
                j += 1;
            } else {
                break;
            }
        }
        let tld = &b[last];
        (labels >= 2 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some(j)
    }

    /// The end of a run of the byte `c` starting at `i`.
    #[inline]
    fn run_of(&self, i: usize, c: u8) -> usize {
        i + self.b[i..].iter().take_while(|&&x| x == c).count()
    }

    /// The end of a `#hashtag` / `@handle` body starting at `i` (`i` when there is none).
    fn tag_body(&self, mut i: usize, need_letter: bool) -> usize {
        let start = i;
        let mut letter = !need_letter;
        let n = self.b.len();
        while i < n {
            let c = self.b[i];
            if c < 0x80 {
                if class(c) & ALNUM == 0 && c != b'_' {
                    break;
                }
                letter |= class(c) & ALPHA != 0 || c == b'_';
                i += 1;
            } else {
                let ch = self.char_at(i);
                if !is_word_char_nonascii(ch) {
                    break;
                }
                letter |= !ch.is_numeric();
                i += ch.len_utf8();
            }
        }
        if letter {
            i
        } else {
            start
        }
    }

    /// A token starting with an ASCII byte that is neither white space nor alphanumeric.
    fn ascii_other(&mut self, i: usize, c: u8) -> usize {
        use TokenKind::*;
        let (end, kind) = match c {
            // `.500`
            b'.' if self.digit_at(i + 1)
                && (i == 0 || (class(self.b[i - 1]) & ALNUM == 0 && self.b[i - 1] != b'.')) =>
            {
                return self.word(i, i + 1)
            }
            b'.' | b'!' | b'?' | b'-' | b'*' | b'_' => (self.run_of(i, c), Punct),
            b'=' | b'~' => (self.run_of(i, c), Symbol),
            b'+' if self.digit_at(i + 1) => return self.word(i, i + 1),
            b'#' | b'@' => {
                let e = self.tag_body(i + 1, c == b'#');
                if e > i + 1 {
                    (e, if c == b'#' { Hashtag } else { Handle })
                } else {
                    (i + 1, Symbol)
                }
            }
            // A doubled apostrophe or backtick is a double quotation mark (``...'' in
            // newswire typed on ASCII keyboards, the Penn Treebank's convention).
            b'\'' | b'`' if self.b.get(i + 1) == Some(&c) => (i + 2, Punct),
            b'\'' => {
                // `'90s`
                let b = self.b;
                if let Some(end) = self.clitic_at(i + 1) {
                    (end, Word)
                } else if self.digit_at(i + 1) && self.digit_at(i + 2) && !self.word_char_at(i + 3)
                {
                    (i + 3, Number)
                } else if self.digit_at(i + 1)
                    && self.digit_at(i + 2)
                    && b.get(i + 3) == Some(&b's')
                    && !self.word_char_at(i + 4)
                {
                    (i + 4, Number)
                } else {
                    (i + 1, Punct)
                }
            }
            b'$' | b'%' | b'&' | b'+' | b'<' | b'>' | b'^' | b'|' => (i + 1, Symbol),
            b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b'`' | b'/'
            | b'\\' => (i + 1, Punct),
            _ => (i + 1, Other),
        };
        self.push(i, end, kind);
        end
    }

    /// If a clitic suffix (`s`, `re`, `ve`, `ll`, `d`, `m`) starts at `j`,
    /// right after an apostrophe that begins a token, and ends a word: its end. Text that is
    /// already tokenised (`Mikhaylov 's`, `do n't`) keeps its clitics whole this way.
    fn clitic_at(&self, j: usize) -> Option<usize> {
        let b = self.b;
        let mut k = j;
        while k < b.len() && k - j < 3 && b[k].is_ascii_alphabetic() {
            k += 1;
        }
        if k == j || self.word_char_at(k) {
            return None;
        }
        let mut suffix = [0u8; 3];
        for (d, s) in suffix.iter_mut().zip(&b[j..k]) {
            *d = s.to_ascii_lowercase();
        }
        matches!(&suffix[..k - j], b"s" | b"d" | b"m" | b"re" | b"ve" | b"ll").then_some(k)
    }

    /// A token starting with a non-ASCII character that is neither white space nor
    /// alphanumeric: punctuation, symbols, emoji, stray marks and format characters.
    fn unicode_other(&mut self, i: usize, ch: char) -> usize {
        let len = ch.len_utf8();
        if ch == '’' {
            if let Some(end) = self.clitic_at(i + len) {
                self.push(i, end, TokenKind::Word);
                return end;
            }
        }
        let (end, kind) = match get_general_category(ch) {
            Gc::DashPunctuation => {
                // Runs of the same dash: `——`.
                let mut e = i + len;
                while self.text[e..].starts_with(ch) {
                    e += len;
                }
                (e, TokenKind::Punct)
            }
            Gc::ConnectorPunctuation
            | Gc::OpenPunctuation
            | Gc::ClosePunctuation
            | Gc::InitialPunctuation
            | Gc::FinalPunctuation
            | Gc::OtherPunctuation => (i + len, TokenKind::Punct),
            Gc::CurrencySymbol | Gc::MathSymbol | Gc::ModifierSymbol => {
                (i + len, TokenKind::Symbol)
            }
            Gc::OtherSymbol => (self.emoji_tail(i + len, ch), TokenKind::Other),
            _ => {
                // Marks without a base, format and private-use characters, C1 controls:
                // one token, together with any marks that follow.
                (self.marks(i + len), TokenKind::Other)
            }
        };
        self.push(i, end, kind);
        end
    }

    /// The end of a run of combining marks and joiners starting at `i`.
    fn marks(&self, mut i: usize) -> usize {
        while i < self.b.len() && self.b[i] >= 0x80 {
            let ch = self.char_at(i);
            if !(is_mark(ch) || ch == '\u{200D}') {
                break;
            }
            i += ch.len_utf8();
        }
        i
    }

    /// The end of an emoji sequence whose first character `first` ends at `i`: variation
    /// selectors, skin tones, keycaps, tags, zero-width-joined emoji, flag pairs.
    fn emoji_tail(&self, mut i: usize, first: char) -> usize {
        let n = self.b.len();
        let regional = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
        if regional(first) && i < n && regional(self.char_at(i)) {
            i += 4;
        }
        while i < n && self.b[i] >= 0x80 {
            let ch = self.char_at(i);
            if is_mark(ch)
                || ('\u{1F3FB}'..='\u{1F3FF}').contains(&ch)
                || ('\u{E0020}'..='\u{E007F}').contains(&ch)
            {
                i += ch.len_utf8();
            } else if ch == '\u{200D}' {
                let next = i + 3;
                if next < n
                    && self.b[next] >= 0x80
                    && get_general_category(self.char_at(next)) == Gc::OtherSymbol
                {
                    i = next + self.char_at(next).len_utf8();
                } else {
                    i = next;
                }
            } else {
                break;
            }
        }
        i
    }
}
