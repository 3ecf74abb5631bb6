//! The binary weight-file format (`model.bin`, `pass1.bin`): magic, tag count, feature set,
//! transition scores, gazetteer and weight table, little-endian; writing and checked reading.

use super::layer::Layer;
use super::table::Table;
use crate::features::{FeatureSet, Gazetteer};

/// The manifest `format` of the weight files this module writes and reads.
pub(super) const FORMAT: &str = "caveat-ner-bin-1";
const MAGIC: &[u8; 8] = b"CVNERv01";

impl Table {
    /// Rows as key, tag mask, the non-zero weights.
    fn write(&self, out: &mut Vec<u8>) {
        put_u64(out, self.keys.len() as u64);
        for (r, &key) in self.keys.iter().enumerate() {
            let w = &self.weights[r * self.nt..(r + 1) * self.nt];
            let tags = w
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0.0)
                .fold(0u32, |m, (t, _)| m | 1 << t);
            put_u64(out, key);
            put_u32(out, tags);
            for &v in w.iter().filter(|&&v| v != 0.0) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }

    fn read(r: &mut Reader<'_>, nt: usize) -> Result<Table, String> {
        let rows = r.u64()? as usize;
        if rows > r.remaining() / 12 {
            return Err(format!(
                "weight table claims {rows} rows, more than the file holds"
            ));
        }
        let mut keys = Vec::with_capacity(rows);
        let mut weights = vec![0.0f32; rows * nt];
        for row in weights.chunks_exact_mut(nt) {
            keys.push(r.u64()?);
            let tags = r.u32()?;
            if tags == 0 || tags >> nt != 0 {
                return Err(format!("bad tag mask {tags:#x} for {nt} tags"));
            }
            let mut bits = tags;
            while bits != 0 {
                row[bits.trailing_zeros() as usize] = r.f32()?;
                bits &= bits - 1;
            }
        }
        Ok(Table::from_rows(nt, keys, weights))
    }
}

impl Layer {
    /// Append the layer's weight file to `out`.
    pub(super) fn write(&self, nt: usize, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        put_u32(out, nt as u32);
        put_u32(out, self.feats.bits());
        for v in self
            .raw_trans
            .iter()
            .chain(&self.raw_start)
            .chain(&self.raw_end)
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for map in [&self.gaz.exact, &self.gaz.lower] {
            let mut entries: Vec<(u64, u16)> = map.iter().map(|(&k, &v)| (k, v)).collect();
            entries.sort_unstable();
            put_u64(out, entries.len() as u64);
            for (k, v) in entries {
                put_u64(out, k);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        self.table.write(out);
    }

    /// Read a weight file of a model with `nt_expected` tags.
    pub(super) fn read(bytes: &[u8], nt_expected: usize) -> Result<Layer, String> {
        let mut r = Reader { b: bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a caveat-ner weight file (bad magic)".into());
        }
        let nt = r.u32()? as usize;
        if nt != nt_expected {
            return Err(format!(
                "{nt} tags in the weights but {nt_expected} implied by the labels"
            ));
        }
        let feats = FeatureSet::from_bits(r.u32()?);
        let mut vec = |n: usize| -> Result<Vec<f32>, String> { (0..n).map(|_| r.f32()).collect() };
        let trans = vec(nt * nt)?;
        let start = vec(nt)?;
        let end = vec(nt)?;
        let mut gaz = Gazetteer::default();
        for which in 0..2 {
            let n = r.u64()? as usize;
            if n > r.remaining() / 10 {
                return Err("gazetteer size exceeds the file".into());
            }
            let map = if which == 0 {
                &mut gaz.exact
            } else {
                &mut gaz.lower
            };
            map.reserve(n);
            for _ in 0..n {
                let k = r.u64()?;
                let v = u16::from_le_bytes(r.take(2)?.try_into().expect("2 bytes"));
                map.insert(k, v);
            }
        }
        let table = Table::read(&mut r, nt)?;
        if r.remaining() != 0 {
            return Err(format!("{} trailing bytes", r.remaining()));
        }
        Ok(Layer::new(feats, table, nt, trans, start, end, gaz))
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.b.len() - self.pos < n {
            return Err(format!("file truncated at byte {}", self.pos));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        let v = f32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("non-finite weight before byte {}", self.pos))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips_and_rejects_truncation() {
        let rows: Vec<(u64, Vec<f32>)> = (0..1000u64)
            .map(|k| (k * 7919, vec![k as f32, 0.0, -1.0]))
            .collect();
        let t = Table::build(3, rows.iter().map(|(k, w)| (*k, w.as_slice())));
        let mut buf = Vec::new();
        t.write(&mut buf);
        let back = Table::read(&mut Reader { b: &buf, pos: 0 }, 3).unwrap();
        let mut s2 = [0.0f32; 3];
        back.add_row(back.find(5 * 7919) as usize, &mut s2);
        assert_eq!(s2, [5.0, 0.0, -1.0]);
        assert!(Table::read(
            &mut Reader {
                b: &buf[..buf.len() - 1],
                pos: 0
            },
            3
        )
        .is_err());
    }
}
