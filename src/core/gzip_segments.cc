#include "core/gzip_segments.h"

#include <zlib.h>

namespace failwatch {
namespace {

// What zlib's own gzip wrapper writes: no name, no mtime, OS = Unix.
constexpr unsigned char kGzipHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

void AppendLittleEndian32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

std::uint32_t Crc32(std::string_view text) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()),
            static_cast<uInt>(text.size())));
}

// Inflates pieces (raw deflate, ended by a sync flush) straight into the
// body being built; one zlib stream for all of them.
class PieceInflater {
 public:
  PieceInflater() { ready_ = inflateInit2(&zs_, -15) == Z_OK; }
  ~PieceInflater() {
    if (ready_) inflateEnd(&zs_);
  }
  PieceInflater(const PieceInflater&) = delete;
  PieceInflater& operator=(const PieceInflater&) = delete;

  // Appends the piece's text to `out`; false unless it inflates to exactly
  // `piece.size` bytes with the CRC it was compressed with.
  bool AppendTo(const CompressedText& piece, std::string& out) {
    if (!ready_ || inflateReset(&zs_) != Z_OK) return false;
    const std::size_t at = out.size();
    out.resize(at + piece.size);
    zs_.next_in =
        reinterpret_cast<Bytef*>(const_cast<char*>(piece.deflated.data()));
    zs_.avail_in = static_cast<uInt>(piece.deflated.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs_.avail_out = static_cast<uInt>(piece.size);
    const int rc = inflate(&zs_, Z_SYNC_FLUSH);
    if ((rc != Z_OK && rc != Z_STREAM_END) || zs_.avail_out != 0 ||
        Crc32(std::string_view(out).substr(at)) != piece.crc) {
      out.resize(at);
      return false;
    }
    return true;
  }

 private:
  z_stream zs_{};
  bool ready_ = false;
};

}  // namespace

struct SegmentCompressor::Stream {
  z_stream zs{};
  bool ready = false;
};

SegmentCompressor::SegmentCompressor() : stream_(std::make_unique<Stream>()) {
  // Negative window bits: a raw deflate stream, the wrapper is ours. Level
  // 6 (the default): on Kafka-like text, level 1 is ~3x faster but ~15%
  // larger, and a piece is compressed once but sent on every scrape.
  stream_->ready = deflateInit2(&stream_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

SegmentCompressor::~SegmentCompressor() {
  if (stream_->ready) deflateEnd(&stream_->zs);
}

Result<std::string> SegmentCompressor::Deflate(std::string_view text,
                                               bool last) {
  z_stream& zs = stream_->zs;
  if (!stream_->ready || deflateReset(&zs) != Z_OK) {
    return MakeError(ErrorKind::kInternal, "zlib", "deflate stream unusable");
  }
  std::string out;
  // The bound covers Z_FINISH; a sync flush adds at most an empty stored
  // block (5 bytes) plus a partial byte.
  out.resize(deflateBound(&zs, static_cast<uLong>(text.size())) + 16);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, last ? Z_FINISH : Z_SYNC_FLUSH);
  const bool done = last ? rc == Z_STREAM_END
                         : rc == Z_OK && zs.avail_in == 0 && zs.avail_out > 0;
  if (!done) {
    return MakeError(ErrorKind::kInternal, "zlib",
                     "deflate returned " + std::to_string(rc));
  }
  out.resize(out.size() - zs.avail_out);
  // The bound is about the input's size; pieces are kept for an interval.
  out.shrink_to_fit();
  return out;
}

bool SegmentCompressor::Compress(std::string text, CompressedText& out,
                                 std::size_t keep_text_below) {
  out.crc = Crc32(text);
  out.size = text.size();
  out.deflated.clear();
  out.text.clear();
  if (text.empty()) return true;
  auto d = Deflate(text);
  if (!d.ok()) {
    out.text = std::move(text);
    return false;
  }
  out.deflated = std::move(d).value();
  if (text.size() < keep_text_below) out.text = std::move(text);
  return true;
}

void SegmentRun::Append(const CompressedText& piece) {
  if (piece.size == 0) return;
  pieces_.push_back(&piece);
  crc_ = static_cast<std::uint32_t>(
      crc32_combine(crc_, piece.crc, static_cast<z_off_t>(piece.size)));
  text_size_ += piece.size;
  deflated_size_ += piece.deflated.size();
}

Result<std::string> SegmentRun::Plain(std::string_view tail) const {
  std::string out;
  out.reserve(text_size_ + tail.size());
  PieceInflater inflater;
  for (const auto* p : pieces_) {
    if (p->text.size() == p->size) {
      out += p->text;
    } else if (!inflater.AppendTo(*p, out)) {
      return MakeError(ErrorKind::kInternal, "zlib",
                       "a kept piece did not inflate to its length");
    }
  }
  out += tail;
  return out;
}

Result<std::string> SegmentRun::Gzip(std::string_view tail) const {
  for (const auto* p : pieces_) {
    if (p->deflated.empty()) {
      return MakeError(ErrorKind::kInternal, "zlib",
                       "a piece was not compressed");
    }
  }
  SegmentCompressor compressor;
  auto last = compressor.Deflate(tail, /*last=*/true);
  if (!last.ok()) return last.error();
  std::string out;
  out.reserve(sizeof(kGzipHeader) + deflated_size_ + last->size() + 8);
  out.append(reinterpret_cast<const char*>(kGzipHeader), sizeof(kGzipHeader));
  for (const auto* p : pieces_) out += p->deflated;
  out += *last;
  const auto crc =
      crc32_combine(crc_, Crc32(tail), static_cast<z_off_t>(tail.size()));
  AppendLittleEndian32(out, static_cast<std::uint32_t>(crc));
  // ISIZE is the length mod 2^32 (RFC 1952).
  AppendLittleEndian32(out, static_cast<std::uint32_t>(
                                (text_size_ + tail.size()) & 0xffffffffu));
  return out;
}

}  // namespace failwatch
