"""The numbering that opens a heading in Chinese documents, as regex pieces.

一、 (a Chinese ordinal and a comma), （一） or (一) (one in brackets, full or half width),
1、 or 1. (an Arabic one). Each reader combines the pieces it accepts: a report's sections
start only with the Chinese ones, a heading above a form may be numbered either way.
"""

CN_ORDINAL = "[一二三四五六七八九十]+"
CN_COMMA = CN_ORDINAL + "、"  # 一、
CN_BRACKETED = "[（(]" + CN_ORDINAL + "[）)]"  # （一） (一)
ANY_BRACKETED = r"[（(][一二三四五六七八九十\d]+[）)]"  # （一） (1)
