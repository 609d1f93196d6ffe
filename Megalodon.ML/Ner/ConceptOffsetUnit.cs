namespace Megalodon.ML.Ner;

/// <summary>What the <c>start</c> and <c>end</c> numbers of a concept JSONL file count.</summary>
public enum ConceptOffsetUnit
{
    /// <summary>UTF-16 code units: .NET and JavaScript string indexes (the default, and what this library writes).</summary>
    Utf16,

    /// <summary>Unicode code points: Python string indexes, so files made by Python tools read correctly.</summary>
    CodePoint,
}
