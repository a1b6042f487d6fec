"""The search tokenizer: one tokenizer for documents and queries, on both databases."""

from kefu.kit import search_text
from kefu.kit.search_text import (
    Term,
    fts5_query,
    index_tokens,
    query_terms,
    tsquery_literal,
    tsvector_literal,
)


def test_latin_words_are_nfkc_lowercased():
    assert index_tokens("Where is my ORDER #10234? Ｃａｆé ４２") == [
        "where",
        "is",
        "my",
        "order",
        "10234",
        "café",
        "42",
    ]


def test_cjk_runs_become_bigrams_and_a_lone_character_stays():
    assert index_tokens("我想申请退款, 退 iPhone15坏了") == [
        "我想",
        "想申",
        "申请",
        "请退",
        "退款",
        "退",
        "iphone15",
        "坏了",
    ]


def test_emails_and_phone_numbers_are_kept_whole_at_the_end():
    assert index_tokens("mail Jane.Doe@Example.com or +86 138-0013-8000 now") == [
        "mail",
        "jane",
        "doe",
        "example",
        "com",
        "or",
        "86",
        "138",
        "0013",
        "8000",
        "now",
        "jane.doe@example.com",
        "8613800138000",
        "613800138000",
        "13800138000",
        "3800138000",
        "800138000",
        "00138000",
        "0138000",
    ]


def test_a_documents_texts_are_tokenized_once_and_their_whole_emails_still_come_last():
    first = "ask a@b.cn, a@b.cn again"
    second = "from a@b.cn or c@d.cn " * 500  # longer than what is kept: tokenized each time
    together = index_tokens(first, second)
    assert together == [*index_tokens(first)[:-1], *index_tokens(second)[:-2], "a@b.cn", "c@d.cn"]
    search_text._text_tokens.cache_clear()
    assert index_tokens(first, "new reply") == [*index_tokens(first)[:-1], "new", "reply", "a@b.cn"]
    assert search_text._text_tokens.cache_info().hits == 1  # the first text was not read again
    assert index_tokens(first, second) == together
    assert search_text._text_tokens.cache_info().currsize == 2  # the long text was not kept
    assert index_tokens("a\x00b", "a\x00b") == ["a", "b", "a", "b"]  # kept joined by NUL


def test_query_terms():
    assert query_terms('"where is" refu* 退款 退 x@y.com 138 0013 8000 我想申请') == [
        Term(("where", "is")),
        Term(("refu",), is_prefix=True),
        Term(("退款",)),
        Term(("退",), is_prefix=True),
        Term(("x@y.com",)),
        Term(("13800138000",)),
        Term(("我想", "想申", "申请")),
    ]


def test_database_query_syntax():
    terms = [Term(("where", "is")), Term(("it's",)), Term(("退",), is_prefix=True)]
    assert tsquery_literal(terms) == "('where' <-> 'is') & ('it''s') & '退':*"
    assert fts5_query(terms) == '"where is" AND "it\'s" AND "退"*'
    assert tsvector_literal(["a", "b", "a"]) == "'a':1,3 'b':2"
