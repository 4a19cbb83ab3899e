#include "core/text_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/utf8.h"

namespace failwatch {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

template <typename Int>
void AppendInt(std::string& out, Int v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// `escape_quote` is false for HELP text, where a quote is literal. The
// output is valid UTF-8 whatever `s` holds: a name from a broker may carry
// any bytes, and one bad byte would make Prometheus refuse the whole
// exposition. Ill-formed sequences and NUL become U+FFFD (the common case,
// already valid, pays one scan).
void AppendEscaped(std::string& out, std::string_view s, bool escape_quote) {
  std::string repaired;
  if (!IsValidUtf8(s) || s.find('\0') != std::string_view::npos) {
    AppendValidUtf8(repaired, s);
    s = repaired;
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\' && c != '\n' && (c != '"' || !escape_quote)) continue;
    out.append(s.data() + start, i - start);
    out += '\\';
    out += c == '\n' ? 'n' : c;
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Untyped:
      break;
  }
  return "untyped";
}

// The extra label of a summary quantile or histogram bucket.
struct ExtraLabel {
  std::string_view name;  // empty = none
  double value = 0;
};

// name + suffix + {labels} + " ".
void AppendHead(std::string& out, const MetricFamily& f, const ClientMetric& m,
                std::string_view suffix = {}, ExtraLabel extra = {}) {
  out += f.name;
  out += suffix;
  if (!m.label.empty() || !extra.name.empty()) {
    char sep = '{';
    for (const auto& l : m.label) {
      out += sep;
      out += l.name;
      out += "=\"";
      AppendEscaped(out, l.value, true);
      out += '"';
      sep = ',';
    }
    if (!extra.name.empty()) {
      out += sep;
      out += extra.name;
      out += "=\"";
      AppendSampleValue(out, extra.value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void AppendTail(std::string& out, const ClientMetric& m) {
  if (m.timestamp_ms != 0) {
    out += ' ';
    AppendInt(out, m.timestamp_ms);
  }
  out += '\n';
}

void AppendValueLine(std::string& out, const MetricFamily& f,
                     const ClientMetric& m, double value) {
  AppendHead(out, f, m);
  AppendSampleValue(out, value);
  AppendTail(out, m);
}

void AppendSummary(std::string& out, const MetricFamily& f,
                   const ClientMetric& m) {
  AppendHead(out, f, m, "_count");
  AppendInt(out, m.summary.sample_count);
  AppendTail(out, m);
  AppendHead(out, f, m, "_sum");
  AppendSampleValue(out, m.summary.sample_sum);
  AppendTail(out, m);
  for (const auto& q : m.summary.quantile) {
    AppendHead(out, f, m, {}, {"quantile", q.quantile});
    AppendSampleValue(out, q.value);
    AppendTail(out, m);
  }
}

void AppendHistogram(std::string& out, const MetricFamily& f,
                     const ClientMetric& m) {
  const auto& h = m.histogram;
  AppendHead(out, f, m, "_count");
  AppendInt(out, h.sample_count);
  AppendTail(out, m);
  AppendHead(out, f, m, "_sum");
  AppendSampleValue(out, h.sample_sum);
  AppendTail(out, m);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double last = -kInf;
  for (const auto& b : h.bucket) {
    AppendHead(out, f, m, "_bucket", {"le", b.upper_bound});
    AppendInt(out, b.cumulative_count);
    AppendTail(out, m);
    last = b.upper_bound;
  }
  if (last != kInf) {
    AppendHead(out, f, m, "_bucket", {"le", kInf});
    AppendInt(out, h.sample_count);
    AppendTail(out, m);
  }
}

}  // namespace

void AppendSampleValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
    return;
  }
  // Most values are integers (offsets, counts, 0/1); below 1e15 "%.16g"
  // prints them as plain integers, which is much cheaper to write. -0 keeps
  // its sign through the general path.
  if (value > -1e15 && value < 1e15) {
    const auto i = static_cast<std::int64_t>(value);
    if (static_cast<double>(i) == value && (i != 0 || !std::signbit(value))) {
      AppendInt(out, i);
      return;
    }
  }
  // to_chars with a precision is specified as printf in the "C" locale, so
  // this is "%.16g" (what TextSerializer gets from an ostream with
  // precision(max_digits10 - 1)) without the locale.
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), value,
                         std::chars_format::general, 16);
  out.append(buf, r.ptr);
}

void AppendFamilyHeader(std::string& out, const MetricFamily& f) {
  if (!f.help.empty()) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    AppendEscaped(out, f.help, false);
    out += '\n';
  }
  out += "# TYPE ";
  out += f.name;
  out += ' ';
  out += TypeName(f.type);
  out += '\n';
}

void AppendFamilySamples(std::string& out, const MetricFamily& f) {
  for (const auto& m : f.metric) {
    switch (f.type) {
      case MetricType::Counter:
        AppendValueLine(out, f, m, m.counter.value);
        break;
      case MetricType::Gauge:
        AppendValueLine(out, f, m, m.gauge.value);
        break;
      case MetricType::Untyped:
        AppendValueLine(out, f, m, m.untyped.value);
        break;
      case MetricType::Summary:
        AppendSummary(out, f, m);
        break;
      case MetricType::Histogram:
        AppendHistogram(out, f, m);
        break;
    }
  }
}

void AppendFamily(std::string& out, const MetricFamily& f) {
  AppendFamilyHeader(out, f);
  AppendFamilySamples(out, f);
}

std::string FamiliesText(
    const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  for (const auto& f : families) AppendFamily(out, f);
  return out;
}

}  // namespace failwatch
