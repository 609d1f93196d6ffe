namespace Megalodon.Cli.Pretraining;

/// <summary>One document as an ML.NET row: the text column the pretraining estimator reads.</summary>
public sealed class TextRow
{
    /// <summary>The document.</summary>
    public string Text { get; set; } = "";
}
