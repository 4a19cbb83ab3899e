// gzip bodies spliced from pieces compressed at different times (the pigz
// technique). Each piece is a raw deflate stream started from an empty
// history and ended with Z_SYNC_FLUSH: byte-aligned, not final, and with no
// back-reference before its own start, so pieces can be concatenated in any
// order. One gzip member = header + pieces + a last piece ended with
// Z_FINISH + a trailer whose CRC-32 is combined from the pieces' CRCs
// (crc32_combine) and whose ISIZE is the total length mod 2^32.
//
// /metrics uses it to compress each target's text once, when the target
// publishes, instead of the whole body on every scrape.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace failwatch {

// Text with its compressed form. Long texts are kept compressed only: at
// 200 000 series the plain copy is ~27 MB beside ~3 MB deflated, and only a
// plain scrape (a person with curl; Prometheus asks for gzip) needs it, so
// that scrape inflates the pieces instead.
struct CompressedText {
  std::string text;       // empty when only `deflated` is kept
  std::string deflated;   // empty when the text is empty or failed to compress
  std::uint32_t crc = 0;  // CRC-32 of the text
  std::size_t size = 0;   // length of the text, kept or not
};

// Texts at least this long are kept deflated only.
inline constexpr std::size_t kKeepTextBelow = 64 * 1024;

// Compresses pieces; reuses one zlib stream (its state is ~270 KB to set up).
// Not thread-safe.
class SegmentCompressor {
 public:
  SegmentCompressor();
  ~SegmentCompressor();
  SegmentCompressor(const SegmentCompressor&) = delete;
  SegmentCompressor& operator=(const SegmentCompressor&) = delete;

  // A spliceable piece (Z_SYNC_FLUSH), or with `last` the end of a stream
  // (Z_FINISH; with empty `text` that is just an empty final block).
  Result<std::string> Deflate(std::string_view text, bool last = false);

  // `text` with its piece; the text itself is dropped when it is at least
  // `keep_text_below` long and compressed. On a zlib error, `deflated` is
  // left empty, the text kept (plain scrapes still work) and false returned.
  bool Compress(std::string text, CompressedText& out,
                std::size_t keep_text_below = kKeepTextBelow);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

// An ordered run of pieces, with the CRC and length of their concatenated
// text computed as they are added.
class SegmentRun {
 public:
  // The piece must outlive the run.
  void Append(const CompressedText& piece);

  std::size_t text_size() const { return text_size_; }
  std::uint32_t crc() const { return crc_; }

  // Concatenated text of the run followed by `tail`; pieces kept deflated
  // only are inflated (an error only if zlib fails on our own pieces).
  Result<std::string> Plain(std::string_view tail) const;
  // One gzip member whose content is Plain(tail); `tail` is compressed here.
  Result<std::string> Gzip(std::string_view tail) const;

 private:
  std::vector<const CompressedText*> pieces_;
  std::size_t text_size_ = 0;
  std::size_t deflated_size_ = 0;
  std::uint32_t crc_ = 0;  // CRC-32 of nothing
};

}  // namespace failwatch
