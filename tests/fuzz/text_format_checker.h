// A strict checker for the Prometheus text exposition format 0.0.4, the
// rules Prometheus' own parser (expfmt/textparse) and `promtool check
// metrics` enforce, written apart from core/text_format.* so a bug in the
// writer is not mirrored here. prometheus-cpp has no parser, and promtool
// per fuzz input would be a process per execution.
//
// Checked: valid UTF-8 without NUL; every line ends in '\n'; only
// "# HELP name text" and "# TYPE name type" comments, at most one of each
// per family and before its samples; metric and label names; label values
// with only \\ \" \n escapes, HELP with only \\ \n; distinct label names
// per sample; a float value (Go ParseFloat syntax) and an optional int64
// timestamp; a family's samples contiguous; histogram samples name_bucket
// (with le), name_count, name_sum; summary samples name (with quantile),
// name_count, name_sum. Not checked: duplicate series (a collector's
// concern, not the writer's).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace failwatch::fuzz {

namespace text_format_detail {

// Well-formed UTF-8 per RFC 3629 (no overlongs, surrogates or > U+10FFFF).
inline bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      const unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (b < l || b > h) return false;
    }
    i += n + 1;
  }
  return true;
}

inline bool IsNameStart(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon && c == ':');
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads a metric name (colon allowed) or a label name from `s` at `i`.
inline bool ReadName(std::string_view s, std::size_t& i, bool colon,
                     std::string& out) {
  if (i >= s.size() || !IsNameStart(s[i], colon)) return false;
  const std::size_t start = i;
  while (i < s.size() && (IsNameStart(s[i], colon) || IsDigit(s[i]))) ++i;
  out.assign(s.substr(start, i - start));
  return true;
}

inline bool Digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i > start;
}

// Go's strconv.ParseFloat as the parser uses it: decimal floats, and
// (case-insensitively) NaN, Inf, Infinity with an optional sign.
inline bool IsFloat(std::string_view v) {
  std::size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  std::string rest;
  for (char c : v.substr(i)) rest += static_cast<char>(c | 0x20);
  if (rest == "inf" || rest == "infinity") return true;
  if (rest == "nan") return i == 0;
  const bool int_part = Digits(v, i);
  bool frac_part = false;
  if (i < v.size() && v[i] == '.') {
    ++i;
    frac_part = Digits(v, i);
  }
  if (!int_part && !frac_part) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (!Digits(v, i)) return false;
  }
  return i == v.size();
}

inline bool IsInt64(std::string_view v) {
  std::size_t i = 0;
  if (i < v.size() && v[i] == '-') ++i;
  if (!Digits(v, i) || i != v.size()) return false;
  return v.size() - (v[0] == '-') <= 19;  // magnitude fits (roughly) int64
}

// An escaped string up to (not including) `end` ('"' for label values,
// '\n' for HELP); `quote_escape` allows \" as well as \\ and \n.
inline bool ReadEscaped(std::string_view s, std::size_t& i, char end,
                        bool quote_escape, std::string& out) {
  out.clear();
  while (i < s.size() && s[i] != end) {
    if (s[i] == '\n') return false;
    if (s[i] == '\\') {
      if (i + 1 >= s.size()) return false;
      const char e = s[i + 1];
      if (e == 'n') {
        out += '\n';
      } else if (e == '\\' || (quote_escape && e == '"')) {
        out += e;
      } else {
        return false;
      }
      i += 2;
      continue;
    }
    out += s[i++];
  }
  return i < s.size();
}

}  // namespace text_format_detail

class TextFormatChecker {
 public:
  // Empty when `text` is a valid exposition; else what is wrong, and where.
  std::string Check(std::string_view text) {
    using namespace text_format_detail;
    if (!ValidUtf8(text)) return "not valid UTF-8 (or holds NUL)";
    if (!text.empty() && text.back() != '\n') return "no final newline";
    std::size_t line_no = 0;
    while (!text.empty()) {
      ++line_no;
      const std::size_t eol = text.find('\n');
      const std::string_view line = text.substr(0, eol);
      text = text.substr(eol + 1);
      std::string why = line.rfind("#", 0) == 0 ? Comment(line) : Sample(line);
      if (!why.empty()) {
        return "line " + std::to_string(line_no) + ": " + why + ": " +
               std::string(line.substr(0, 200));
      }
    }
    return "";
  }

 private:
  struct Family {
    std::string type = "untyped";
    bool help = false, type_line = false, samples = false;
  };

  std::string Comment(std::string_view line) {
    using namespace text_format_detail;
    const bool help = line.rfind("# HELP ", 0) == 0;
    if (!help && line.rfind("# TYPE ", 0) != 0) return "unexpected comment";
    std::size_t i = 7;
    std::string name;
    if (!ReadName(line, i, true, name)) return "bad metric name";
    if (i >= line.size() || line[i] != ' ') return "no space after name";
    ++i;
    if (done_.count(name)) return "family seen before";
    StartFamily(name);
    Family& f = families_[name];
    if (f.samples) return "HELP/TYPE after samples";
    if (help) {
      if (f.help) return "second HELP";
      f.help = true;
      std::string text;
      std::string with_nl(line);
      with_nl += '\n';
      return ReadEscaped(with_nl, i, '\n', false, text) ? ""
                                                        : "bad HELP escape";
    }
    if (f.type_line) return "second TYPE";
    f.type_line = true;
    f.type = std::string(line.substr(i));
    static const std::set<std::string> kTypes = {
        "counter", "gauge", "histogram", "summary", "untyped"};
    return kTypes.count(f.type) ? "" : "unknown type";
  }

  std::string Sample(std::string_view line) {
    using namespace text_format_detail;
    std::size_t i = 0;
    std::string name;
    if (!ReadName(line, i, true, name)) return "bad metric name";
    std::map<std::string, std::string> labels;
    if (i < line.size() && line[i] == '{') {
      if (std::string why = Labels(line, ++i, labels); !why.empty()) return why;
    }
    if (i >= line.size() || line[i] != ' ') return "no space before value";
    const std::string_view rest = line.substr(i + 1);
    const std::size_t sp = rest.find(' ');
    if (!IsFloat(rest.substr(0, sp))) return "bad value";
    if (sp != std::string_view::npos && !IsInt64(rest.substr(sp + 1))) {
      return "bad timestamp";
    }
    return Member(name, labels);
  }

  std::string Labels(std::string_view line, std::size_t& i,
                     std::map<std::string, std::string>& labels) {
    using namespace text_format_detail;
    while (i < line.size() && line[i] != '}') {
      std::string lname, value;
      if (!ReadName(line, i, false, lname)) return "bad label name";
      if (line.substr(i, 2) != "=\"") return "no =\" after label name";
      i += 2;
      if (!ReadEscaped(line, i, '"', true, value)) return "bad label value";
      ++i;  // the closing quote
      if (!labels.emplace(lname, value).second) return "duplicate label";
      if (i < line.size() && line[i] == ',')
        ++i;
      else if (i < line.size() && line[i] != '}')
        return "no , or } after label";
    }
    if (i >= line.size()) return "unterminated labels";
    ++i;
    return "";
  }

  // Which family a sample belongs to, and the suffix rules of its type.
  std::string Member(const std::string& name,
                     const std::map<std::string, std::string>& labels) {
    using text_format_detail::IsFloat;
    const Family* cur =
        current_.empty() ? nullptr : &families_.find(current_)->second;
    if (cur && (cur->type == "histogram" || cur->type == "summary")) {
      const bool hist = cur->type == "histogram";
      if (name == current_ + "_count" || name == current_ + "_sum") {
        families_[current_].samples = true;
        return "";
      }
      if (hist && name == current_ + "_bucket") {
        auto le = labels.find("le");
        if (le == labels.end() || !IsFloat(le->second))
          return "bucket without le";
        families_[current_].samples = true;
        return "";
      }
      if (!hist && name == current_) {
        auto q = labels.find("quantile");
        if (q == labels.end() || !IsFloat(q->second)) return "no quantile";
        families_[current_].samples = true;
        return "";
      }
    }
    if (name != current_) {
      if (done_.count(name) || families_.count(name))
        return "family not contiguous";
      StartFamily(name);
    }
    Family& f = families_[name];
    if (f.type == "histogram" || f.type == "summary")
      return "bare sample in " + f.type;
    f.samples = true;
    return "";
  }

  void StartFamily(const std::string& name) {
    if (name == current_) return;
    if (!current_.empty()) done_.insert(current_);
    current_ = name;
    families_[name];
  }

  std::map<std::string, Family> families_;
  std::set<std::string> done_;
  std::string current_;
};

}  // namespace failwatch::fuzz
