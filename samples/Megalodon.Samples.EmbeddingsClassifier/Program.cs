using Megalodon.Samples.EmbeddingsClassifier;

// Pretrains a tiny Megalodon on in-code sentences and classifies them from its embeddings with standard ML.NET parts.
EmbeddingsClassifierSample.Run(Console.Out);
return 0;
