namespace Megalodon.ML.Transforms.Ner;

/// <summary>
/// The columns of concept-annotated data as an <see cref="Microsoft.ML.IDataView"/>: the JSONL fields with the entity list split
/// into parallel vectors, one item per annotated span.
/// </summary>
public static class ConceptColumnNames
{
    /// <summary>The sentence text (text).</summary>
    public const string Text = "Text";

    /// <summary>Each span's first character (variable-length Int32 vector, UTF-16 code units).</summary>
    public const string EntityStarts = "EntityStarts";

    /// <summary>Each span's end, one past its last character (variable-length Int32 vector).</summary>
    public const string EntityEnds = "EntityEnds";

    /// <summary>Each span's concept name (variable-length text vector).</summary>
    public const string Concepts = "Concepts";

    /// <summary>Each span's description, empty for none (variable-length text vector; the column itself is optional on input).</summary>
    public const string Descriptions = "Descriptions";
}
