using System.Text;
using Megalodon.ML.Training;

namespace Megalodon.ML.Data;

/// <summary>
/// A seeded generator of English-like documents with long-range dependencies, the default corpus for checking that a
/// model carries state across attention chunks. Each document opens by naming a random key (for example
/// <c>"The password is Bakoru."</c>), continues with filler sentences from a small grammar, and repeats the key at
/// recall points (<c>"As we said, the password is Bakoru."</c>) each at least <c>MinRecallDistance</c> characters
/// after its previous mention.
/// </summary>
/// <remarks>
/// <para>Keys are <c>KeySyllables</c> consonant–vowel syllables drawn uniformly from 14 × 5 = 70, first letter in
/// upper case, so every key is equally likely and a model that has learnt the format but cannot see the earlier
/// mention pays exactly <c>ln(KeyCount)</c> nats over a recalled key's characters (<see cref="ChanceRecallLoss"/>);
/// a model that remembers pays close to 0. Filler text is locally predictable and never contains a key.</para>
/// <para>Text is ASCII, so character offsets are byte offsets and byte-level token offsets.</para>
/// </remarks>
public sealed class SyntheticCorpus
{
    /// <summary>The end-of-text id of the byte-level tokenizer (ids 0–255 are bytes).</summary>
    public const int ByteEndOfTextId = 256;

    private static readonly string[] Onsets = { "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z" };
    private static readonly string[] Vowels = { "a", "e", "i", "o", "u" };

    private static readonly string[] Roles =
    {
        "the password", "the name of the ship", "the captain's name", "the secret word", "the name of the village",
        "the code for the gate", "the dog's name", "the name of the old inn",
    };

    private static readonly string[] IntroFrames = { "{0} is {1}.", "Listen well: {0} is {1}.", "Before we begin, {0} is {1}." };
    private static readonly string[] RecallFrames = { "As we said, {0} is {1}.", "Remember that {0} is {1}.", "Once again, {0} is {1}.", "Do not forget: {0} is {1}." };

    private static readonly string[] Subjects =
    {
        "the farmer", "a small dog", "the old woman", "my brother", "the teacher", "a tall man", "the children",
        "our neighbour", "the baker", "a young girl", "the soldier", "his friend",
    };

    private static readonly string[] Verbs =
    {
        "walked to", "looked at", "painted", "carried", "cleaned", "found", "sold", "watched", "opened", "built",
        "visited", "forgot",
    };

    private static readonly string[] Objects =
    {
        "the river", "a red box", "the market", "the garden", "an old boat", "the bridge", "a green door", "the village",
        "the long road", "a warm coat", "the kitchen", "the tower",
    };

    private static readonly string[] Modifiers =
    {
        "", "", "", " in the morning", " after the rain", " before dinner", " with great care", " again", " at night",
        " on Sunday",
    };

    /// <summary>Generates the corpus.</summary>
    /// <param name="options">Settings; null uses <see cref="SyntheticCorpusOptions.Default"/>.</param>
    public SyntheticCorpus(SyntheticCorpusOptions? options = null)
    {
        Options = options ?? SyntheticCorpusOptions.Default;
        Options.Validate();
        var documents = new SyntheticDocument[Options.DocumentCount];
        for (var i = 0; i < documents.Length; i++)
        {
            // One stream per document: a document does not change when the count changes.
            var rng = new DeterministicRandom(DeterministicRandom.Mix(Options.Seed, (ulong)i));
            documents[i] = Generate(ref rng, Options);
        }
        Documents = documents;
    }

    /// <summary>The settings.</summary>
    public SyntheticCorpusOptions Options { get; }

    /// <summary>The documents.</summary>
    public IReadOnlyList<SyntheticDocument> Documents { get; }

    /// <summary>Size of the key set: <c>70^KeySyllables</c> for syllable keys, <c>10^KeySyllables</c> for digit keys.</summary>
    public long KeyCount => Options.KeyStyle == SyntheticKeyStyle.Digits ? (long)Math.Pow(10, Options.KeySyllables) : KeyCountFor(Options.KeySyllables);

    /// <summary>Loss (nats) over a recalled key's characters of a model that cannot see its earlier mention: <c>ln(KeyCount)</c>.</summary>
    public double ChanceRecallLoss => Math.Log(KeyCount);

    /// <summary>Size of the key set for <paramref name="syllables"/> syllables.</summary>
    /// <param name="syllables">Syllables per key.</param>
    public static long KeyCountFor(int syllables) => (long)Math.Pow(Onsets.Length * Vowels.Length, syllables);

    /// <summary>
    /// Packs the documents byte by byte, each followed by <paramref name="endOfTextId"/>, as the byte-level tokenizer
    /// and document packer would, and maps the recall spans to stream offsets.
    /// </summary>
    /// <param name="endOfTextId">The separator id (256 for the byte-level tokenizer).</param>
    public SyntheticTokenStream ToByteTokens(int endOfTextId = ByteEndOfTextId)
    {
        var length = Documents.Sum(d => d.Text.Length + 1);
        var tokens = new int[length];
        var spans = new List<RecallSpan>();
        var starts = new List<int>(Documents.Count);
        var offset = 0;
        foreach (var doc in Documents)
        {
            starts.Add(offset);
            for (var i = 0; i < doc.Text.Length; i++)
                tokens[offset + i] = doc.Text[i];
            foreach (var r in doc.Recalls)
                spans.Add(new RecallSpan(offset + r.Start, r.Length, offset + r.PreviousStart, offset + r.PreviousEnd));
            offset += doc.Text.Length;
            tokens[offset++] = endOfTextId;
        }
        return new SyntheticTokenStream(tokens, spans, starts, endOfTextId, KeyCount);
    }

    /// <summary>All documents' text, each followed by a blank line (for inspection and text-based pipelines).</summary>
    public string ToText() => string.Join("\n\n", Documents.Select(d => d.Text));

    private static SyntheticDocument Generate(ref DeterministicRandom rng, SyntheticCorpusOptions o)
    {
        var key = o.KeyStyle == SyntheticKeyStyle.Digits ? NewDigitKey(ref rng, o.KeySyllables) : NewKey(ref rng, o.KeySyllables);
        var role = Roles[rng.Next(0, Roles.Length)];
        var target = rng.Next(o.MinDocumentLength, o.MaxDocumentLength + 1);
        var text = new StringBuilder(target + o.MaxRecallDistance + 200);

        var intro = Capitalise(string.Format(IntroFrames[rng.Next(0, IntroFrames.Length)], role, "\u0001"));
        var introStart = intro.IndexOf('\u0001');
        text.Append(intro.Replace("\u0001", key));
        int previousStart = introStart, previousEnd = introStart + key.Length;

        var recalls = new List<RecallSpan>();
        do
        {
            var gap = rng.Next(o.MinRecallDistance, o.MaxRecallDistance + 1);
            var recall = Capitalise(string.Format(RecallFrames[rng.Next(0, RecallFrames.Length)], role, "\u0001"));
            var cue = recall.IndexOf('\u0001');
            // Filler until the recalled key would start at least `gap` characters after the previous mention.
            while (text.Length + 1 + cue - previousEnd < gap)
            {
                text.Append(rng.Next(0, 6) == 0 ? "\n" : " ");
                text.Append(FillerSentence(ref rng));
            }
            text.Append(' ');
            var start = text.Length + cue;
            text.Append(recall.Replace("\u0001", key));
            recalls.Add(new RecallSpan(start, key.Length, previousStart, previousEnd));
            previousStart = start;
            previousEnd = start + key.Length;
        }
        while (text.Length < target);

        return new SyntheticDocument(text.ToString(), key, introStart, recalls);
    }

    private static string NewDigitKey(ref DeterministicRandom rng, int digits)
    {
        var key = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) key.Append((char)('0' + rng.Next(0, 10)));
        return key.ToString();
    }

    private static string NewKey(ref DeterministicRandom rng, int syllables)
    {
        var key = new StringBuilder(syllables * 2);
        for (var s = 0; s < syllables; s++)
            key.Append(Onsets[rng.Next(0, Onsets.Length)]).Append(Vowels[rng.Next(0, Vowels.Length)]);
        key[0] = char.ToUpperInvariant(key[0]);
        return key.ToString();
    }

    private static string FillerSentence(ref DeterministicRandom rng) =>
        Capitalise(Subjects[rng.Next(0, Subjects.Length)] + " " + Verbs[rng.Next(0, Verbs.Length)] + " "
            + Objects[rng.Next(0, Objects.Length)] + Modifiers[rng.Next(0, Modifiers.Length)] + ".");

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
