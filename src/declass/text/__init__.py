"""Text tools every layer shares: dates, number words, sentences, the lexicon, text maps."""
