{#- Feature building blocks shared by several models, so a definition lives in one place. -#}

{# Text normalisation for "same text from another account": lowercase, then strip
   whitespace, punctuation, symbols (emoji included) and digits, so that template
   variants differing only in numbering, spacing or decoration compare equal. #}
{% macro normalise_text(expr) -%}
  {{ regex_replace_all('lower(' ~ expr ~ ')', '[\\s\\p{P}\\p{S}\\d]+') }}
{%- endmacro %}

{# A line that starts with a list marker: "1.", "2)", "3、", "-", "*", "•", "·", "▪",
   "●", "◆", "✅", "👉", circled numbers ①-⑳ or keycap digits 1️⃣. #}
{% macro has_list_marker(expr) -%}
  {{ regex_matches(expr, '(?m)^\\s*(\\d{1,2}[.)\\x{3001}\\x{FF0E}]|[-*\\x{2022}\\x{00B7}\\x{25AA}\\x{25CF}\\x{25C6}\\x{2705}\\x{1F449}]|[\\x{2460}-\\x{2473}]|\\d\\x{FE0F}?\\x{20E3})') }}
{%- endmacro %}

{# Emoji and pictographs: misc symbols & dingbats, the supplementary pictograph
   planes, stars, and the emoji variation selector. #}
{% macro has_emoji(expr) -%}
  {{ regex_matches(expr, '[\\x{1F000}-\\x{1FAFF}\\x{2600}-\\x{27BF}\\x{2B00}-\\x{2BFF}\\x{FE0F}\\x{3297}\\x{3299}]') }}
{%- endmacro %}

{# 1.0 when `condition` holds, else 0.0: averaged, it is a share. Doubles, not the literals
   1.0 / 0.0: those are DECIMAL(2,1), and Spark averages decimals into DECIMAL(6,5), which
   rounds every share to 5 places (DuckDB's avg of a decimal is a double). #}
{% macro flag(condition) -%}
  case when {{ condition }} then cast(1 as double) else cast(0 as double) end
{%- endmacro %}

{# Coefficient of variation (population), NULL below two observations or at mean 0. #}
{% macro coefficient_of_variation(expr) -%}
  case when count({{ expr }}) >= 2 and avg({{ expr }}) > 0
       then stddev_pop({{ expr }}) / avg({{ expr }}) end
{%- endmacro %}

{# Shannon entropy of a distribution over n possible bins, as an aggregate over one row
   per occupied bin whose `count_expr` is the bin's count, divided by ln(n): 1 = spread
   evenly, 0 = all in one bin. Uses H = ln N - sum(c ln c) / N (N = sum of c), so the
   counts come from a plain GROUP BY (account, bin): cheaper than filtered counts per bin
   or histogram(), and portable. NULL when there are no counts. #}
{% macro normalised_entropy(count_expr, n) -%}
  least(1.0, greatest(0.0,
    (ln(sum({{ count_expr }}) * 1.0) - sum({{ count_expr }} * ln({{ count_expr }} * 1.0)) / sum({{ count_expr }}))
    / ln({{ n }}.0)))
{%- endmacro %}

{# Tokens for type-token ratio: each CJK character is a token (those scripts have no
   spaces), any other run of letters/digits is a word. #}
{% macro text_tokens(expr) -%}
  {{ regex_extract_all('lower(' ~ expr ~ ')', '[\\p{Han}\\p{Hiragana}\\p{Katakana}]|[^\\s\\p{P}\\p{S}\\p{Han}\\p{Hiragana}\\p{Katakana}]+') }}
{%- endmacro %}

{# 1.0 when two country codes differ, 0.0 when equal, NULL when either is unknown
   (averaged, NULLs do not take part). Doubles, as in flag(). #}
{% macro country_mismatch(a, b) -%}
  case
      when {{ a }} is null or {{ b }} is null then null
      when upper({{ a }}) <> upper({{ b }}) then cast(1 as double)
      else cast(0 as double)
  end
{%- endmacro %}
