using System.Buffers;

namespace Megalodon.ML.Ner;

/// <summary>Every character <see cref="char.IsWhiteSpace(char)"/> accepts, for fast span searches.</summary>
internal static class WhitespaceChars
{
    public static readonly SearchValues<char> All = SearchValues.Create(
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace).ToArray());
}
