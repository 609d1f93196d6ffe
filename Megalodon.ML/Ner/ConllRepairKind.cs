namespace Megalodon.ML.Ner;

/// <summary>What the lenient CoNLL reader repaired on a line.</summary>
public enum ConllRepairKind
{
    /// <summary>The word field was empty or whitespace only; the word became the placeholder.</summary>
    EmptyWord,

    /// <summary>The word held whitespace; each run became the placeholder, keeping one word.</summary>
    WordWithWhitespace,
}
