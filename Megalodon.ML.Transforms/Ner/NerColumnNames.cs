namespace Megalodon.ML.Transforms.Ner;

/// <summary>The column names of ML.NET's NER convention, used by <see cref="ConllDataCatalogExtensions"/> and the NER trainers.</summary>
public static class NerColumnNames
{
    /// <summary>The sentence text: the words joined by single spaces.</summary>
    public const string Sentence = "Sentence";

    /// <summary>The words, a variable-length text vector (the sentence split on whitespace).</summary>
    public const string Words = "Words";

    /// <summary>The labels, a variable-length vector of keys (one BIO label per word), with the label names as key values.</summary>
    public const string Label = "Label";

    /// <summary>The predicted labels, a vector of keys like <see cref="Label"/> (what a NER transformer outputs).</summary>
    public const string PredictedLabel = "PredictedLabel";
}
