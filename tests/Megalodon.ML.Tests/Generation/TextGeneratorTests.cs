using Megalodon.ML.Generation;
using Megalodon.ML.Tests.Model;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Generation;

[TestClass]
public sealed class TextGeneratorTests
{
    private static readonly Tokenizer Gpt2 = TiktokenTokenizer.CreateForModel("gpt2");

    private static TextGenerator Generator() =>
        new(StreamingTests.PerturbedModel(StreamingTests.TinyConfig() with { VocabSize = 50257 }, 3), Gpt2, 50256);

    [TestMethod]
    public void GreedyIsDeterministicAndRespectsMaxTokens()
    {
        var generator = Generator();
        var options = new GenerationOptions { Temperature = 0, MaxTokens = 10 };
        string a = generator.Generate("Once upon a time", options);
        string b = generator.Generate("Once upon a time", options);
        Assert.AreEqual(a, b);
        Assert.IsLessThanOrEqualTo(10, Gpt2.EncodeToIds(a).Count);
    }

    [TestMethod]
    public async Task StreamedPiecesConcatenateToTheWholeOutput()
    {
        var generator = Generator();
        var options = new GenerationOptions { Seed = 4, MaxTokens = 15 };
        var pieces = new List<string>();
        await foreach (var piece in generator.GenerateAsync("The", options)) pieces.Add(piece);
        Assert.AreEqual(generator.Generate("The", options), string.Concat(pieces));
    }

    [TestMethod]
    public void StopsBeforeAStopString()
    {
        var generator = Generator();
        string free = generator.Generate("x", new GenerationOptions { Temperature = 0, MaxTokens = 20 });
        Assert.IsGreaterThan(1, free.Length, "the model must produce some text for this test");
        string stop = free.Substring(free.Length / 2, 1);
        string cut = generator.Generate("x", new GenerationOptions { Temperature = 0, MaxTokens = 20, StopStrings = [stop] });
        Assert.AreEqual(free[..free.IndexOf(stop, StringComparison.Ordinal)], cut);
    }

    [TestMethod]
    public void CancellationStopsGeneration()
    {
        var generator = Generator();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() => generator.Generate("x", new GenerationOptions { MaxTokens = 5 }, cancelled.Token));
    }
}
