using System.Text;

namespace Megalodon.ML.Ner;

/// <summary>Writes sentences as CoNLL BIO text that <see cref="ConllReader"/> reads back: <c>word&lt;TAB&gt;label</c> lines, a blank line after each sentence.</summary>
public static class ConllWriter
{
    /// <summary>Writes sentences to a file (UTF-8 without BOM, <c>\n</c> line ends).</summary>
    /// <param name="path">The file; replaced if it exists.</param>
    /// <param name="sentences">The sentences.</param>
    public static void WriteFile(string path, IEnumerable<NerSentence> sentences)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sentences);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, sentences);
    }

    /// <summary>Writes sentences to a writer.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="sentences">The sentences.</param>
    public static void Write(TextWriter writer, IEnumerable<NerSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sentences);
        foreach (var sentence in sentences)
        {
            for (int i = 0; i < sentence.Count; i++)
                writer.Write(sentence.Words[i] + "\t" + sentence.Labels[i] + "\n");
            writer.Write('\n');
        }
    }
}
