namespace Megalodon.ML.Ner;

/// <summary>A malformed line in an NER data file (CoNLL or JSONL), with where it is.</summary>
public sealed class NerDataException : FormatException
{
    /// <summary>Creates the exception; the message is prefixed with <c>source:line: </c>.</summary>
    /// <param name="sourceName">The file path, or a name for an in-memory source.</param>
    /// <param name="lineNumber">The 1-based line number.</param>
    /// <param name="problem">What is wrong with the line.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public NerDataException(string sourceName, int lineNumber, string problem, Exception? inner = null)
        : base($"{sourceName}:{lineNumber}: {problem}", inner)
    {
        SourceName = sourceName;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file path, or the name given for an in-memory source.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line number of the offending line.</summary>
    public int LineNumber { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }
}
