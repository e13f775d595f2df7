using Microsoft.ML.OnnxRuntime;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Opens the ONNX Runtime session for the device asked: TensorRT then CUDA then the CPU for
/// <see cref="DetrExecutionDevice.TensorRt"/> (ONNX Runtime gives each node to the first provider that takes it),
/// CUDA then the CPU for <see cref="DetrExecutionDevice.Cuda"/>. A provider that cannot start is left out with a
/// warning that says why and what to do, or, where only the CPU would be left and <see cref="DetrScoringOptions.CpuFallback"/>
/// is false, an error.
/// </summary>
static class DetrSessionFactory
{
    const string CpuBuildRemedy = "the application has ONNX Runtime's CPU build: reference the Detr.MLNet.Gpu package to score on the GPU";

    /// <summary>The session and the device it runs on after any fallback.</summary>
    public static (InferenceSession Session, DetrExecutionDevice Active) Create(byte[] bytes, DetrScoringOptions options, string source, Action<string>? warn)
    {
        var reasons = new List<string>();
        var active = DetrExecutionDevice.Cpu;
        var sessionOptions = NewSessionOptions(options);
        OrtTensorRTProviderOptions? tensorRt = null;
        try
        {
            if (options.Device == DetrExecutionDevice.TensorRt)
            {
                if (TryAppend(() => tensorRt = AppendTensorRt(sessionOptions, options), "TensorRT", out string? why))
                    active = DetrExecutionDevice.TensorRt;
                else
                    reasons.Add(why);
            }
            if (options.Device is DetrExecutionDevice.Cuda or DetrExecutionDevice.TensorRt)
            {
                if (TryAppend(() => sessionOptions.AppendExecutionProvider_CUDA(options.GpuDeviceId), "CUDA", out string? why))
                    active = active == DetrExecutionDevice.Cpu ? DetrExecutionDevice.Cuda : active;
                else
                    reasons.Add(why);
            }
            if (reasons.Count > 0)
                Report(reasons, active, options, warn);

            if (active != DetrExecutionDevice.Cpu)
            {
                try
                {
                    return (new InferenceSession(bytes, sessionOptions), active);
                }
                catch (OnnxRuntimeException e)
                {
                    // The providers loaded but could not take the model here (no GPU, a driver too old): the CPU may.
                    Report([$"ONNX Runtime could not open {source} with {Name(active)} ({FirstLine(e)})"], DetrExecutionDevice.Cpu, options, warn);
                    sessionOptions.Dispose();
                    sessionOptions = NewSessionOptions(options);
                    active = DetrExecutionDevice.Cpu;
                }
            }
            try
            {
                return (new InferenceSession(bytes, sessionOptions), active);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidDataException($"{source} is not a loadable ONNX model: {e.Message}", e);
            }
        }
        finally
        {
            tensorRt?.Dispose();
            sessionOptions.Dispose();
        }
    }

    static SessionOptions NewSessionOptions(DetrScoringOptions options)
    {
        var sessionOptions = new SessionOptions { GraphOptimizationLevel = options.GraphOptimizationLevel };
        if (options.IntraOpThreads is int threads)
            sessionOptions.IntraOpNumThreads = threads;
        return sessionOptions;
    }

    /// <summary>TensorRT on the GPU asked, with its engine and timing caches in the folder asked, if any.</summary>
    static OrtTensorRTProviderOptions AppendTensorRt(SessionOptions sessionOptions, DetrScoringOptions options)
    {
        var tensorRt = new OrtTensorRTProviderOptions(); // refused here by a build without TensorRT
        try
        {
            var settings = new Dictionary<string, string> { ["device_id"] = options.GpuDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (options.TensorRtEngineCacheFolder is string folder)
            {
                string path = Path.GetFullPath(folder);
                Directory.CreateDirectory(path);
                settings["trt_engine_cache_enable"] = "1";
                settings["trt_engine_cache_path"] = path;
                settings["trt_timing_cache_enable"] = "1";
                settings["trt_timing_cache_path"] = path;
            }
            tensorRt.UpdateOptions(settings);
            sessionOptions.AppendExecutionProvider_Tensorrt(tensorRt);
            return tensorRt;
        }
        catch
        {
            tensorRt.Dispose();
            throw;
        }
    }

    static bool TryAppend(Action append, string provider, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        try
        {
            append();
            reason = null;
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            reason = $"{provider} execution provider unavailable ({FirstLine(e)})";
            return false;
        }
    }

    /// <summary>Warns of what was left out, or, where only the CPU is left and that is not allowed, fails with it.</summary>
    static void Report(IReadOnlyList<string> reasons, DetrExecutionDevice active, DetrScoringOptions options, Action<string>? warn)
    {
        string remedy = Remedy(reasons, active);
        string what = string.Join("; ", reasons);
        if (active != DetrExecutionDevice.Cpu)
        {
            warn?.Invoke($"{what}; scoring with {Name(active)} alone ({remedy}).");
            return;
        }
        if (!options.CpuFallback)
            throw new InvalidOperationException($"{what}; {remedy}. Set CpuFallback to true to score on the CPU instead.");
        warn?.Invoke($"{what}; scoring on the CPU ({remedy}).");
    }

    static string Remedy(IReadOnlyList<string> reasons, DetrExecutionDevice active)
    {
        string[] available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains("CUDAExecutionProvider"))
            return CpuBuildRemedy;
        if (active == DetrExecutionDevice.Cuda)
            return "ONNX Runtime's GPU build is here but could not start TensorRT: check that TensorRT's libraries (libnvinfer) are installed in the version ONNX Runtime was built for";
        return reasons.Any(r => r.StartsWith("ONNX Runtime could not open", StringComparison.Ordinal))
            ? "check that a GPU is visible to this process and that its driver supports the CUDA version ONNX Runtime was built for"
            : "ONNX Runtime's GPU build is here but could not start CUDA: check the GPU, its driver and the CUDA/cuDNN libraries ONNX Runtime needs";
    }

    static string FirstLine(Exception e) => e.Message.Split('\n')[0];

    static string Name(DetrExecutionDevice device) => device switch
    {
        DetrExecutionDevice.Cuda => "CUDA",
        DetrExecutionDevice.TensorRt => "TensorRT",
        _ => "the CPU",
    };
}
