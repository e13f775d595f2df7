using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Detr.MLNet.Scoring;

/// <summary>Where an <see cref="IoBindingRunner"/> stages its inputs and receives its outputs.</summary>
enum IoBindingStaging
{
    /// <summary>
    /// Page-locked host memory from the session's CUDA pinned allocator, which the GPU copies from and to by DMA
    /// without a bounce buffer; ordinary host memory where the session offers none.
    /// </summary>
    PageLocked,

    /// <summary>Ordinary host memory (ONNX Runtime's CPU allocator): the same binding on the CPU, for tests.</summary>
    Host,
}

/// <summary>
/// One scorer's runs through an <see cref="OrtIoBinding"/>, for sessions on CUDA or TensorRT. The scorer writes each
/// batch's pixels and mask straight into staging memory that stays allocated (grown only when a batch needs more);
/// inputs and outputs are bound again only when the batch's shape changes (outputs to the same kind of memory, where
/// ONNX Runtime allocates them at the first run of a shape and reuses them at the next). Made from the session during a
/// run and registered with it, because ONNX Runtime requires the binding and the allocator's memory to be released
/// before the session is: if the scorer is not disposed first, the session's closing disposes it.
/// </summary>
sealed class IoBindingRunner : IDisposable
{
    readonly SharedInferenceSession _owner;
    readonly OrtIoBinding _binding;
    readonly OrtAllocator _allocator;
    readonly bool _ownsAllocator;
    readonly IReadOnlyList<string> _outputNames;
    readonly Dictionary<string, Staged> _inputs = [];
    bool _outputsBound;
    int _disposed;

    IoBindingRunner(SharedInferenceSession owner, OrtIoBinding binding, OrtAllocator allocator, bool ownsAllocator, IReadOnlyList<string> outputNames)
    {
        _owner = owner;
        _binding = binding;
        _allocator = allocator;
        _ownsAllocator = ownsAllocator;
        _outputNames = outputNames;
    }

    /// <summary>Whether inputs are staged in page-locked memory (false: ordinary host memory).</summary>
    public bool PageLocked => _ownsAllocator;

    /// <summary>
    /// A binding over <paramref name="session"/>, which must be in use (under a run's lease): staging in page-locked
    /// memory where asked and offered, else in ordinary host memory; <paramref name="outputNames"/> bound in that order.
    /// </summary>
    public static IoBindingRunner Create(SharedInferenceSession owner, InferenceSession session, IoBindingStaging staging, IReadOnlyList<string> outputNames)
    {
        OrtAllocator allocator = OrtAllocator.DefaultInstance;
        bool owns = false;
        if (staging == IoBindingStaging.PageLocked)
        {
            // CUDA's pinned memory is host memory, registered under device id 0 whichever GPU runs the model.
            using var pinned = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.CpuOutput);
            try
            {
                allocator = new OrtAllocator(session, pinned);
                owns = true;
            }
            catch (OnnxRuntimeException)
            {
                // No pinned allocator in this session: the binding still saves the per-run setup.
            }
        }
        OrtIoBinding binding;
        try
        {
            binding = session.CreateIoBinding();
        }
        catch
        {
            if (owns)
                allocator.Dispose();
            throw;
        }
        var runner = new IoBindingRunner(owner, binding, allocator, owns, outputNames);
        owner.Attach(runner);
        return runner;
    }

    /// <summary>
    /// The staging memory of input <paramref name="name"/> shaped <paramref name="shape"/>, to be filled before
    /// <see cref="Run"/>; bound anew only when the shape or element type differs from the last call's.
    /// </summary>
    public Span<T> Input<T>(string name, long[] shape)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_inputs.TryGetValue(name, out var staged))
            _inputs[name] = staged = new Staged();
        var span = staged.Bind<T>(_binding, name, shape, _allocator, out bool rebound);
        // A run fills bound outputs with tensors of its shape, which another batch shape cannot reuse: bind them anew.
        _outputsBound &= !rebound;
        return span;
    }

    /// <summary>Runs the bound batch; the outputs (in <c>outputNames</c>' order) are readable on the host when this returns.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, RunOptions runOptions)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_outputsBound)
        {
            _binding.ClearBoundOutputs();
            foreach (string name in _outputNames)
                _binding.BindOutputToDevice(name, _allocator.Info);
            _outputsBound = true;
        }
        session.RunWithBinding(runOptions, _binding);
        _binding.SynchronizeBoundOutputs();
        return _binding.GetOutputValues();
    }

    /// <summary>Releases the binding and the staging memory; safe to call more than once, from the scorer or the session.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _owner.Detach(this);
        _binding.Dispose();
        foreach (var staged in _inputs.Values)
            staged.Dispose();
        if (_ownsAllocator)
            _allocator.Dispose();
    }

    /// <summary>One input's staging: memory that only grows, and a tensor over it shaped as last bound.</summary>
    sealed class Staged : IDisposable
    {
        OrtMemoryAllocation? _memory;
        OrtValue? _value;
        long[] _shape = [];
        TensorElementType _type;

        public Span<T> Bind<T>(OrtIoBinding binding, string name, long[] shape, OrtAllocator allocator, out bool rebound)
            where T : unmanaged
        {
            var type = ElementType<T>();
            rebound = _value is null || type != _type || !_shape.AsSpan().SequenceEqual(shape);
            if (rebound)
            {
                long elements = 1;
                foreach (long dimension in shape)
                    elements = checked(elements * dimension);
                long bytes = checked(elements * Unsafe.SizeOf<T>());
                if (_memory is null || _memory.Size < bytes)
                {
                    _value?.Dispose();
                    _value = null;
                    _memory?.Dispose();
                    _memory = null;
                    _memory = allocator.Allocate(checked((uint)Math.Max(bytes, 1)));
                }
                // The allocation's handle is its address; it outlives every tensor made over it (disposed after them).
                var value = OrtValue.CreateTensorValueWithData(allocator.Info, type, shape, _memory.DangerousGetHandle(), bytes);
                binding.BindInput(name, value); // the binding keeps its own reference to the tensor
                _value?.Dispose();
                (_value, _shape, _type) = (value, [.. shape], type);
            }
            return _value!.GetTensorMutableDataAsSpan<T>();
        }

        public void Dispose()
        {
            _value?.Dispose();
            _memory?.Dispose();
        }

        static TensorElementType ElementType<T>() => typeof(T) == typeof(float) ? TensorElementType.Float
            : typeof(T) == typeof(long) ? TensorElementType.Int64
            : typeof(T) == typeof(int) ? TensorElementType.Int32
            : typeof(T) == typeof(bool) ? TensorElementType.Bool
            : throw new NotSupportedException($"No ONNX element type for {typeof(T).Name}.");
    }
}
