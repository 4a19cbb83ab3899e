#include "postgres/statement_verb.h"

#include <cctype>
#include <vector>

namespace failwatch {
namespace {

// A lexed token. Strings, comments, numbers and parameters are dropped:
// a keyword inside them must not count. Quoted identifiers stay (they take
// part in the syntax) but never match a keyword.
struct Token {
  enum Kind { kWord, kQuotedIdent, kPunct } kind;
  std::string_view text;
  int depth;  // parenthesis depth before the token
};

bool IsWordStart(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool IsWordChar(unsigned char c) {
  return IsWordStart(c) || std::isdigit(c) || c == '$';
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Position after a '...' literal starting at `i` (the quote); backslash
// escapes only in E'...' strings. An unterminated literal ends the text.
std::size_t SkipString(std::string_view s, std::size_t i, bool escapes) {
  for (++i; i < s.size(); ++i) {
    if (escapes && s[i] == '\\') {
      ++i;
    } else if (s[i] == '\'') {
      if (i + 1 < s.size() && s[i + 1] == '\'') {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return s.size();
}

// Position after a comment starting at `i` ("--" or "/*", nested).
std::size_t SkipComment(std::string_view s, std::size_t i) {
  if (s[i] == '-') {
    std::size_t nl = s.find('\n', i);
    return nl == std::string_view::npos ? s.size() : nl + 1;
  }
  int nesting = 0;
  while (i + 1 < s.size()) {
    if (s[i] == '/' && s[i + 1] == '*') {
      ++nesting;
      i += 2;
    } else if (s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--nesting == 0) return i;
    } else {
      ++i;
    }
  }
  return s.size();
}

// At a '$': position after a $n parameter or a $tag$...$tag$ string; `i`
// itself when it is neither (then '$' is punctuation).
std::size_t SkipDollar(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    return j;
  }
  while (j < s.size() && s[j] != '$' &&
         IsWordChar(static_cast<unsigned char>(s[j]))) {
    ++j;
  }
  if (j >= s.size() || s[j] != '$') return i;
  std::string_view tag = s.substr(i, j - i + 1);
  std::size_t end = s.find(tag, j + 1);
  return end == std::string_view::npos ? s.size() : end + tag.size();
}

std::size_t SkipQuotedIdent(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] != '"') continue;
    if (i + 1 < s.size() && s[i + 1] == '"') {
      ++i;
    } else {
      return i + 1;
    }
  }
  return s.size();
}

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  int depth = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (std::isspace(c)) {
      ++i;
    } else if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
      i = SkipComment(s, i);
    } else if (c == '\'') {
      i = SkipString(s, i, false);
    } else if (c == '"') {
      std::size_t end = SkipQuotedIdent(s, i);
      out.push_back({Token::kQuotedIdent, s.substr(i, end - i), depth});
      i = end;
    } else if (c == '$' && SkipDollar(s, i) != i) {
      i = SkipDollar(s, i);
    } else if (std::isdigit(c)) {
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
        ++i;
      }
    } else if (IsWordStart(c)) {
      std::size_t end = i;
      while (end < s.size() && IsWordChar(static_cast<unsigned char>(s[end])))
        ++end;
      std::string_view word = s.substr(i, end - i);
      if (end < s.size() && s[end] == '\'' && word.size() == 1 &&
          std::string_view("EeBbXxNn").find(word[0]) !=
              std::string_view::npos) {
        // E'..', B'..', X'..', N'..': a literal with a prefix.
        i = SkipString(s, end, EqualsNoCase(word, "E"));
        continue;
      }
      out.push_back({Token::kWord, word, depth});
      i = end;
    } else {
      if (c == ')' && depth > 0) --depth;
      out.push_back({Token::kPunct, s.substr(i, 1), depth});
      if (c == '(') ++depth;
      ++i;
    }
  }
  return out;
}

// One statement's tokens, [begin, end) of the lexed vector.
class Statement {
 public:
  Statement(const std::vector<Token>& t, std::size_t begin, std::size_t end)
      : t_(t), begin_(begin), end_(end) {}

  StatementVerb Classify() const;

 private:
  bool Word(std::size_t i, std::string_view upper) const {
    return i < end_ && t_[i].kind == Token::kWord &&
           EqualsNoCase(t_[i].text, upper);
  }
  bool Punct(std::size_t i, char c) const {
    return i < end_ && t_[i].kind == Token::kPunct && t_[i].text[0] == c;
  }
  // Index after the ')' matching the '(' at `i`.
  std::size_t AfterGroup(std::size_t i) const {
    const int d = t_[i].depth;
    for (++i; i < end_; ++i) {
      if (Punct(i, ')') && t_[i].depth == d) return i + 1;
    }
    return end_;
  }
  std::size_t SkipOpenParens(std::size_t i) const {
    while (Punct(i, '(')) ++i;
    return i;
  }
  Statement From(std::size_t i, std::size_t end) const {
    return Statement(t_, i, end);
  }
  Statement From(std::size_t i) const { return From(i, end_); }

  StatementVerb Leading(std::size_t i) const;
  StatementVerb Select(std::size_t i) const;
  StatementVerb With(std::size_t i) const;
  StatementVerb Copy(std::size_t i) const;
  StatementVerb Explain(std::size_t i) const;
  StatementVerb Lock(std::size_t i) const;
  StatementVerb Declare(std::size_t i) const;
  bool CallsSequenceWrite() const;

  const std::vector<Token>& t_;
  std::size_t begin_, end_;
};

StatementVerb Statement::Classify() const {
  if (Word(SkipOpenParens(begin_), "EXPLAIN")) {
    return Explain(SkipOpenParens(begin_) + 1);
  }
  if (Word(SkipOpenParens(begin_), "PREPARE")) {
    return StatementVerb::kNone;  // defines, does not execute
  }
  StatementVerb v = Leading(SkipOpenParens(begin_));
  if (v == StatementVerb::kNone && CallsSequenceWrite()) {
    return StatementVerb::kNextval;
  }
  return v;
}

// The verb of the statement whose first keyword is at `i`.
StatementVerb Statement::Leading(std::size_t i) const {
  struct Entry {
    const char* word;
    StatementVerb verb;
  };
  static constexpr Entry kTable[] = {
      {"INSERT", StatementVerb::kInsert},
      {"UPDATE", StatementVerb::kUpdate},
      {"DELETE", StatementVerb::kDelete},
      {"MERGE", StatementVerb::kMerge},
      {"CREATE", StatementVerb::kDdl},
      {"DROP", StatementVerb::kDdl},
      {"TRUNCATE", StatementVerb::kDdl},
      {"GRANT", StatementVerb::kDdl},
      {"REVOKE", StatementVerb::kDdl},
      {"COMMENT", StatementVerb::kDdl},
      {"SECURITY", StatementVerb::kDdl},  // SECURITY LABEL
      {"REFRESH", StatementVerb::kDdl},   // REFRESH MATERIALIZED VIEW
      {"REASSIGN", StatementVerb::kDdl},
      {"IMPORT", StatementVerb::kDdl},  // IMPORT FOREIGN SCHEMA
      {"VACUUM", StatementVerb::kMaintenance},
      {"ANALYZE", StatementVerb::kMaintenance},
      {"ANALYSE", StatementVerb::kMaintenance},
      {"REINDEX", StatementVerb::kMaintenance},
      {"CLUSTER", StatementVerb::kMaintenance},
      {"LISTEN", StatementVerb::kListenNotify},
      {"NOTIFY", StatementVerb::kListenNotify},
  };
  for (const Entry& e : kTable) {
    if (Word(i, e.word)) return e.verb;
  }
  // ALTER SYSTEM writes postgresql.auto.conf, not WAL: a standby takes it.
  if (Word(i, "ALTER")) {
    return Word(i + 1, "SYSTEM") ? StatementVerb::kNone : StatementVerb::kDdl;
  }
  if (Word(i, "SELECT") || Word(i, "VALUES") || Word(i, "TABLE")) {
    return Select(i);
  }
  if (Word(i, "WITH")) return With(i + 1);
  if (Word(i, "COPY")) return Copy(i + 1);
  if (Word(i, "LOCK")) return Lock(i + 1);
  if (Word(i, "DECLARE")) return Declare(i + 1);
  return StatementVerb::kNone;
}

// A row-locking clause or INTO anywhere in the SELECT (a locking subquery
// takes row locks too).
StatementVerb Statement::Select(std::size_t i) const {
  for (; i < end_; ++i) {
    if (Word(i, "INTO")) return StatementVerb::kSelectInto;
    if (!Word(i, "FOR")) continue;
    if (Word(i + 1, "UPDATE")) return StatementVerb::kSelectForUpdate;
    if (Word(i + 1, "SHARE")) return StatementVerb::kSelectForShare;
    if (Word(i + 1, "NO") && Word(i + 2, "KEY") && Word(i + 3, "UPDATE")) {
      return StatementVerb::kSelectForNoKeyUpdate;
    }
    if (Word(i + 1, "KEY") && Word(i + 2, "SHARE")) {
      return StatementVerb::kSelectForKeyShare;
    }
  }
  return StatementVerb::kNone;
}

// WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [, ...]
// main. A data-modifying body makes the whole statement a write, whatever
// the main statement is.
StatementVerb Statement::With(std::size_t i) const {
  const int depth = i < end_ ? t_[i].depth : 0;
  while (i < end_) {
    if (t_[i].depth != depth) {
      ++i;
      continue;
    }
    if (Word(i, "AS")) {
      std::size_t j = i + 1;
      if (Word(j, "NOT")) ++j;
      if (Word(j, "MATERIALIZED")) ++j;
      if (Punct(j, '(')) {
        const std::size_t after = AfterGroup(j);
        StatementVerb body =
            From(j + 1, after - 1).Leading(SkipOpenParens(j + 1));
        if (body == StatementVerb::kInsert || body == StatementVerb::kUpdate ||
            body == StatementVerb::kDelete || body == StatementVerb::kMerge) {
          return body;
        }
        i = after;
        continue;
      }
    }
    for (const char* main :
         {"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE"}) {
      if (Word(i, main)) return Leading(i);
    }
    ++i;
  }
  return StatementVerb::kNone;
}

// COPY (query) TO ... is a read; COPY table [(cols)] FROM ... a write.
StatementVerb Statement::Copy(std::size_t i) const {
  if (Punct(i, '(')) return StatementVerb::kNone;  // only TO takes a query
  const int depth = i < end_ ? t_[i].depth : 0;
  for (; i < end_; ++i) {
    if (t_[i].depth != depth) continue;
    if (Word(i, "FROM")) return StatementVerb::kCopyFrom;
    if (Word(i, "TO")) return StatementVerb::kNone;
  }
  return StatementVerb::kNone;
}

// EXPLAIN runs the statement only with ANALYZE.
StatementVerb Statement::Explain(std::size_t i) const {
  bool analyze = false;
  if (Punct(i, '(') && !Word(i + 1, "SELECT") && !Word(i + 1, "WITH") &&
      !Word(i + 1, "VALUES")) {
    const std::size_t after = AfterGroup(i);
    for (std::size_t j = i + 1; j < after; ++j) {
      if (Word(j, "ANALYZE") || Word(j, "ANALYSE")) {
        analyze = !(Word(j + 1, "FALSE") || Word(j + 1, "OFF"));
      }
    }
    i = after;
  }
  for (; Word(i, "ANALYZE") || Word(i, "ANALYSE") || Word(i, "VERBOSE"); ++i) {
    if (!Word(i, "VERBOSE")) analyze = true;
  }
  if (!analyze) return StatementVerb::kNone;
  return From(i).Classify();
}

// A standby grants ACCESS SHARE, ROW SHARE and ROW EXCLUSIVE; the default
// mode is ACCESS EXCLUSIVE.
StatementVerb Statement::Lock(std::size_t i) const {
  for (; i < end_; ++i) {
    if (!Word(i, "IN")) continue;
    const bool access = Word(i + 1, "ACCESS"), row = Word(i + 1, "ROW");
    const bool share = Word(i + 2, "SHARE");
    const bool exclusive = Word(i + 2, "EXCLUSIVE");
    const bool weak = Word(i + 3, "MODE") &&
                      ((access && share) || (row && (share || exclusive)));
    return weak ? StatementVerb::kNone : StatementVerb::kLock;
  }
  return StatementVerb::kLock;
}

// DECLARE name ... CURSOR ... FOR query: the query starts (and takes its
// row locks) at DECLARE.
StatementVerb Statement::Declare(std::size_t i) const {
  for (; i < end_; ++i) {
    if (Word(i, "FOR")) return From(i + 1).Leading(SkipOpenParens(i + 1));
  }
  return StatementVerb::kNone;
}

bool Statement::CallsSequenceWrite() const {
  for (std::size_t i = begin_; i + 1 < end_; ++i) {
    if ((Word(i, "NEXTVAL") || Word(i, "SETVAL")) && Punct(i + 1, '(')) {
      return true;
    }
  }
  return false;
}

}  // namespace

const char* StatementVerbName(StatementVerb verb) {
  switch (verb) {
    case StatementVerb::kNone:
      return "";
    case StatementVerb::kInsert:
      return "INSERT";
    case StatementVerb::kUpdate:
      return "UPDATE";
    case StatementVerb::kDelete:
      return "DELETE";
    case StatementVerb::kMerge:
      return "MERGE";
    case StatementVerb::kCopyFrom:
      return "COPY FROM";
    case StatementVerb::kDdl:
      return "DDL";
    case StatementVerb::kMaintenance:
      return "MAINTENANCE";
    case StatementVerb::kNextval:
      return "NEXTVAL";
    case StatementVerb::kSelectForUpdate:
      return "SELECT FOR UPDATE";
    case StatementVerb::kSelectForNoKeyUpdate:
      return "SELECT FOR NO KEY UPDATE";
    case StatementVerb::kSelectForShare:
      return "SELECT FOR SHARE";
    case StatementVerb::kSelectForKeyShare:
      return "SELECT FOR KEY SHARE";
    case StatementVerb::kSelectInto:
      return "SELECT INTO";
    case StatementVerb::kLock:
      return "LOCK";
    case StatementVerb::kListenNotify:
      return "LISTEN/NOTIFY";
  }
  return "";
}

StatementVerb ClassifyStatement(std::string_view text) {
  const std::vector<Token> tokens = Lex(text.substr(0, kStatementTextLimit));
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= tokens.size(); ++i) {
    const bool last = i == tokens.size();
    if (!last && !(tokens[i].kind == Token::kPunct && tokens[i].text == ";")) {
      continue;
    }
    StatementVerb v = Statement(tokens, begin, i).Classify();
    if (v != StatementVerb::kNone) return v;
    begin = i + 1;
  }
  return StatementVerb::kNone;
}

}  // namespace failwatch
