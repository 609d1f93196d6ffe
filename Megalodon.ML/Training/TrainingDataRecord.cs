using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Megalodon.ML.Training;

/// <summary>
/// What training data a model saw and in which order: the identity of the packed token stream (length and SHA-256
/// fingerprint), how it was cut into windows, the permutation seed, and the positions where reading started and
/// stopped. With the same documents, this reproduces the exact window order, so a later continual run can replay the
/// samples the model actually saw, in their original order.
/// </summary>
/// <param name="TokenCount">Tokens in the packed stream.</param>
/// <param name="Fingerprint">Lower-case hex SHA-256 of the stream's token ids (int32, little-endian).</param>
/// <param name="SequenceLength">The sequence length <c>L</c> the windows were cut for.</param>
/// <param name="Shuffled">Whether epochs were served in a seeded random order.</param>
/// <param name="WindowsPerEpoch">Windows in one epoch.</param>
/// <param name="StartPosition">Where reading started (its seed is the permutation seed).</param>
/// <param name="EndPosition">The next window that would have been read.</param>
public sealed record TrainingDataRecord(
    long TokenCount,
    string Fingerprint,
    int SequenceLength,
    bool Shuffled,
    long WindowsPerEpoch,
    TokenSourcePosition StartPosition,
    TokenSourcePosition EndPosition)
{
    /// <summary>Documents packed into the stream (0 when unknown); lets a caller pass all documents and replay the trained prefix.</summary>
    public int DocumentCount { get; init; }

    /// <summary>Windows read between <see cref="StartPosition"/> and <see cref="EndPosition"/>.</summary>
    public long WindowsSeen => EndPosition.WindowsTaken(WindowsPerEpoch) - StartPosition.WindowsTaken(WindowsPerEpoch);

    /// <summary>The fingerprint of a token stream, as stored in <see cref="Fingerprint"/>.</summary>
    /// <param name="tokens">The packed token ids.</param>
    public static string FingerprintOf(ReadOnlySpan<int> tokens)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // The fingerprint is defined over little-endian bytes so it matches across machines.
            var swapped = new int[tokens.Length];
            for (var i = 0; i < tokens.Length; i++) swapped[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(tokens[i]);
            return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(swapped.AsSpan())));
        }
        return Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(tokens)));
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Serialises to JSON (the form stored in saved models).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/>'s output.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not a data record.</exception>
    public static TrainingDataRecord FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingDataRecord>(json, Json) ?? throw new InvalidDataException("The training data record is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The training data record is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Whether <paramref name="tokens"/> is the stream this record describes.</summary>
    /// <param name="tokens">A packed token stream.</param>
    public bool Matches(ReadOnlySpan<int> tokens) =>
        tokens.Length == TokenCount && string.Equals(FingerprintOf(tokens), Fingerprint, StringComparison.OrdinalIgnoreCase);
}
