using Megalodon.ML.Inference;
using Megalodon.ML.Integration;
using Megalodon.ML.Model;
using Megalodon.ML.Tests.Model;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Megalodon.ML.Tests.Integration;

[TestClass]
public sealed class ExtensionsAiTests
{
    private static readonly Tokenizer Gpt2 = TiktokenTokenizer.CreateForModel("gpt2");
    private const int EndOfText = 50256;

    private static MegalodonModel Model() => StreamingTests.PerturbedModel(StreamingTests.TinyConfig() with { VocabSize = 50257 }, 7);

    [TestMethod]
    public async Task EmbeddingsAreThePooledHiddenStates()
    {
        var model = Model();
        IEmbeddingGenerator<string, Embedding<float>> generator = new MegalodonEmbeddingGenerator(model, Gpt2, EndOfText, PoolingMode.Mean);
        var embeddings = await generator.GenerateAsync(["Hello world.", "A longer sentence, with punctuation!"]);
        Assert.HasCount(2, embeddings);
        var expected = new SequenceScorer(model, PoolingMode.Mean, EndOfText).Score([Gpt2.EncodeToIds("Hello world.")])[0].Embedding;
        var actual = embeddings[0].Vector.ToArray();
        for (int d = 0; d < expected.Length; d++) Assert.AreEqual(expected[d], actual[d], 1e-5, $"dim {d}");
        Assert.AreEqual(16, embeddings[1].Vector.Length);
        Assert.AreEqual(16, ((EmbeddingGeneratorMetadata)generator.GetService(typeof(EmbeddingGeneratorMetadata))!).DefaultModelDimensions);
        var ex = await Assert.ThrowsExactlyAsync<ArgumentException>(() => generator.GenerateAsync(["ok", "  "]));
        StringAssert.Contains(ex.Message, "Text 1 is empty");
    }

    [TestMethod]
    public async Task ChatClientCompletesTheConversationAndStreamsTheSameText()
    {
        IChatClient client = new MegalodonChatClient(Model(), Gpt2, EndOfText);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 12 };
        List<ChatMessage> conversation = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Say something.")];
        var response = await client.GetResponseAsync(conversation, options);
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(conversation, options))
            streamed.Append(update.Text);
        Assert.AreEqual(response.Text, streamed.ToString());
        Assert.IsLessThanOrEqualTo(12, Gpt2.EncodeToIds(response.Text).Count);
        Assert.AreEqual(ChatRole.Assistant, response.Messages[0].Role);
    }

    [TestMethod]
    public void ChatOptionsMapToSampling()
    {
        var mapped = MegalodonChatClient.ToGenerationOptions(new ChatOptions { Temperature = 0.5f, TopK = 3, TopP = 0.9f, MaxOutputTokens = 7, StopSequences = ["\n"], Seed = 11 });
        Assert.AreEqual(0.5, mapped.Temperature, 1e-6);
        Assert.AreEqual(3, mapped.TopK);
        Assert.AreEqual(0.9, mapped.TopP, 1e-6);
        Assert.AreEqual(7, mapped.MaxTokens);
        CollectionAssert.AreEqual(new[] { "\n" }, mapped.StopStrings.ToArray());
        Assert.AreEqual(11, mapped.Seed);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => MegalodonChatClient.ToPrompt([new ChatMessage(ChatRole.User, "")])).Message, "no text");
    }
}
