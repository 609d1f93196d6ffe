using System.Runtime.CompilerServices;

// We compile against publicized copies of these two assemblies (build/Publicizer); at run time the real ones load,
// and these attributes let the JIT accept our calls into their internals (persistence, LoadableClass, Contracts).
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
