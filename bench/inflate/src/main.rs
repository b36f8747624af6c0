//! `tollgate-bench-inflate FILE.gz`: decompress every gzip member of FILE to nothing and print
//! the decompressed size, with flate2's default backend (miniz_oxide), through the same
//! `MultiGzDecoder` over a buffered file that a streaming reader would use.

use std::io::{BufReader, Read};

fn main() {
    let path = std::env::args().nth(1).expect("usage: tollgate-bench-inflate FILE.gz");
    let file = std::fs::File::open(&path).expect("cannot open the input");
    let mut dec = flate2::bufread::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = dec.read(&mut buf).expect("corrupt gzip");
        if n == 0 {
            break;
        }
        total += n as u64;
    }
    println!("{total}");
}
