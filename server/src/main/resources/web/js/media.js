/**
 * WebCodecs helpers for Dropcast: a {@link MediaPublisher} for the host (camera + microphone →
 * VideoEncoder/AudioEncoder → media frames on the socket) and a {@link MediaPlayer} for viewers
 * (media frames → VideoDecoder/AudioDecoder → canvas + speakers), both with live stats.
 *
 * Timestamps (glass-to-glass latency): the host stamps every frame with its capture wall-clock
 * time in microseconds since the Unix epoch ({@link nowMicros}: performance.timeOrigin +
 * performance.now(), monotonic within a page). The relay forwards the header unchanged, so the
 * viewer computes latency = its own nowMicros() when the frame is drawn − the frame's timestamp.
 * This is exact when host and viewer share a clock (same machine, as in the browser tests) and
 * otherwise off by the clock difference (NTP-synced machines: a few ms). "Capture" is the moment
 * the browser hands the frame to the page, so camera sensor/driver latency is not included.
 * The same timestamps put product pins in sync: a pin carries the media timestamp of the host's
 * stream when it was made, and the viewer shows the card once it has drawn a frame that late.
 *
 * Runs on the page's main thread. Every VideoFrame/AudioData is closed as soon as it is used.
 */
import { MediaKind, TrackType, packMediaFrame } from './dropcast.js';

export const VIDEO_TRACK = 0;
export const AUDIO_TRACK = 1;

/** @return wall-clock microseconds since the Unix epoch (monotonic within this page) */
export function nowMicros() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** @return true when this browser can encode (host) with WebCodecs */
export function canPublish() {
  return typeof VideoEncoder !== 'undefined' && typeof VideoFrame !== 'undefined';
}

/** @return true when this browser can decode (viewer) with WebCodecs */
export function canPlay() {
  return typeof VideoDecoder !== 'undefined' && typeof EncodedVideoChunk !== 'undefined';
}

const VIDEO_CODECS = [
  { codec: 'avc1.42E01F', avc: { format: 'annexb' } }, // H.264 constrained baseline, SPS/PPS in every keyframe
  { codec: 'vp8' },
  { codec: 'vp09.00.10.08' },
];

/**
 * Picks the first video encoder config this browser supports (H.264, then VP8, then VP9).
 *
 * @return {Promise<object|null>} a config accepted by VideoEncoder.configure, or null
 */
export async function pickVideoConfig({ width = 640, height = 360, framerate = 30, bitrate = 800_000 } = {}) {
  for (const c of VIDEO_CODECS) {
    const config = { ...c, width, height, framerate, bitrate, latencyMode: 'realtime' };
    try {
      const res = await VideoEncoder.isConfigSupported(config);
      if (res.supported) return res.config;
    } catch {
      // not supported in this form: try the next one
    }
  }
  return null;
}

function base64(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes instanceof ArrayBuffer ? bytes : bytes.buffer);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

function unbase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** @return the UTF-8 JSON payload of a config frame for a WebCodecs decoder config */
export function encodeDecoderConfig(config) {
  const copy = { ...config };
  if (copy.description) copy.description = base64(copy.description);
  return new TextEncoder().encode(JSON.stringify(copy));
}

/** @return the decoder config in a config frame payload (description decoded from base64) */
export function decodeDecoderConfig(payload) {
  const config = JSON.parse(new TextDecoder().decode(payload));
  if (typeof config.description === 'string') config.description = unbase64(config.description);
  return config;
}

/** Asks for camera and microphone. @return {Promise<MediaStream>} */
export function captureCamera({ width = 640, height = 360, framerate = 30, audio = true } = {}) {
  return navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: framerate } },
    audio: audio ? { echoCancellation: true, noiseSuppression: true } : false,
  });
}

/**
 * Host side: encodes a MediaStream and sends the frames on a Dropcast client.
 *
 * Video: MediaStreamTrackProcessor when available (Chromium), else a <video> + canvas fallback that
 * draws at the target frame rate. A keyframe every `keyframeIntervalMs` (default 2 s) so late joiners
 * start quickly. When the socket backs up (bufferedAmount > maxBufferedBytes) deltas are dropped and
 * the next frame is forced to be a keyframe. Audio: Opus via AudioEncoder (Chromium; the fallback
 * path is video only).
 */
export class MediaPublisher {
  /**
   * @param {import('./dropcast.js').DropcastClient} client a connected client (host token)
   * @param {MediaStream} stream from {@link captureCamera}
   * @param {object} [options] width, height, framerate, bitrate, keyframeIntervalMs, maxBufferedBytes, audio
   */
  constructor(client, stream, options = {}) {
    this.client = client;
    this.stream = stream;
    this.options = { width: 640, height: 360, framerate: 30, bitrate: 800_000, keyframeIntervalMs: 2000,
      maxBufferedBytes: 1_000_000, audio: true, ...options };
    this.running = false;
    this.stats = {
      videoCodec: null, audioCodec: null, width: 0, height: 0, path: null,
      videoFrames: 0, keyFrames: 0, audioFrames: 0, bytesSent: 0, droppedFrames: 0,
      lastTimestamp: 0, startedAt: 0,
    };
    this.lastKeyAt = -Infinity;
    this.forceKey = true;
    this.audioOffset = null;
    this.cleanups = [];
    this.configs = new Map(); // trackId → last config frame {trackType, timestamp, payload}
  }

  /** Starts encoding and sending. Rejects when no video codec is supported. */
  async start() {
    if (this.running) return;
    const videoTrack = this.stream.getVideoTracks()[0];
    if (!videoTrack) throw new Error('the stream has no video track');
    const settings = videoTrack.getSettings();
    const width = evenOr(settings.width, this.options.width);
    const height = evenOr(settings.height, this.options.height);
    const config = await pickVideoConfig({ width, height, framerate: this.options.framerate, bitrate: this.options.bitrate });
    if (!config) throw new Error('this browser cannot encode H.264, VP8 or VP9 video');
    this.videoEncoder = new VideoEncoder({
      output: (chunk, meta) => this.#onVideoChunk(chunk, meta),
      error: (e) => { console.error('video encoder', e); this.stats.error = String(e.message || e); },
    });
    this.videoEncoder.configure(config);
    Object.assign(this.stats, { videoCodec: config.codec, width, height, startedAt: Date.now() });
    this.running = true;

    if (typeof MediaStreamTrackProcessor !== 'undefined') {
      this.stats.path = 'track-processor';
      this.#pump(new MediaStreamTrackProcessor({ track: videoTrack }).readable, (f) => this.#encodeVideo(f));
    } else {
      this.stats.path = 'canvas';
      this.#canvasFallback(width, height);
    }
    const audioTrack = this.stream.getAudioTracks()[0];
    if (this.options.audio && audioTrack && typeof AudioEncoder !== 'undefined'
        && typeof MediaStreamTrackProcessor !== 'undefined') {
      this.#pump(new MediaStreamTrackProcessor({ track: audioTrack }).readable, (d) => this.#encodeAudio(d));
    }
  }

  /** Stops encoding; the stream's tracks are left to the caller. */
  stop() {
    this.running = false;
    for (const c of this.cleanups.splice(0)) {
      try { c(); } catch { /* already stopped */ }
    }
    for (const enc of [this.videoEncoder, this.audioEncoder]) {
      if (enc && enc.state !== 'closed') enc.close();
    }
  }

  /**
   * After a reconnect: resends the last codec configs and makes the next video frame a keyframe, so
   * the relay (and viewers joining now) can decode again at once.
   */
  resync() {
    this.forceKey = true;
    this.skipToKey = true;
    for (const [trackId, c] of this.configs) this.#send(MediaKind.CONFIG, trackId, c.trackType, c.timestamp, 0, c.payload);
  }

  /** @return the media timestamp (µs since epoch) of the last video frame sent, 0 before the first */
  currentTimestamp() {
    return this.stats.lastTimestamp;
  }

  async #pump(readable, handle) {
    const reader = readable.getReader();
    this.cleanups.push(() => reader.cancel());
    while (this.running) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!this.running) { value.close(); break; }
      handle(value);
    }
  }

  #canvasFallback(width, height) {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = this.stream;
    video.play().catch(() => {});
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
    const ctx = canvas.getContext('2d');
    const timer = setInterval(() => {
      if (video.readyState < 2) return;
      ctx.drawImage(video, 0, 0, width, height);
      this.#encodeVideo(new VideoFrame(canvas, { timestamp: nowMicros() }), true);
    }, 1000 / this.options.framerate);
    this.cleanups.push(() => { clearInterval(timer); video.srcObject = null; });
  }

  #encodeVideo(frame, stamped = false) {
    const enc = this.videoEncoder;
    if (!this.running || enc.state !== 'configured' || enc.encodeQueueSize > 2) {
      frame.close();
      this.stats.droppedFrames++;
      return;
    }
    const ts = stamped ? frame.timestamp : nowMicros();
    const toEncode = stamped ? frame : new VideoFrame(frame, { timestamp: ts });
    if (!stamped) frame.close();
    const keyFrame = this.forceKey || (ts - this.lastKeyAt) >= this.options.keyframeIntervalMs * 1000;
    if (keyFrame) {
      this.forceKey = false;
      this.lastKeyAt = ts;
    }
    enc.encode(toEncode, { keyFrame });
    toEncode.close();
  }

  #onVideoChunk(chunk, meta) {
    if (meta?.decoderConfig) this.#sendConfig(VIDEO_TRACK, TrackType.VIDEO, chunk.timestamp, meta.decoderConfig);
    const key = chunk.type === 'key';
    if (!key && (this.skipToKey || this.client.bufferedAmount > this.options.maxBufferedBytes)) {
      // The socket is backed up: skip deltas and restart from a keyframe once it drains.
      this.skipToKey = true;
      this.forceKey = true;
      this.stats.droppedFrames++;
      return;
    }
    this.skipToKey = false;
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    if (this.#send(key ? MediaKind.KEY : MediaKind.DELTA, VIDEO_TRACK, TrackType.VIDEO, chunk.timestamp, chunk.duration, data)) {
      this.stats.videoFrames++;
      if (key) this.stats.keyFrames++;
      this.stats.lastTimestamp = chunk.timestamp;
    }
  }

  #encodeAudio(data) {
    if (!this.running) { data.close(); return; }
    if (!this.audioEncoder) {
      this.audioEncoder = new AudioEncoder({
        output: (chunk, meta) => this.#onAudioChunk(chunk, meta),
        error: (e) => { console.error('audio encoder', e); this.stats.audioError = String(e.message || e); },
      });
      this.audioEncoder.configure({ codec: 'opus', sampleRate: data.sampleRate, numberOfChannels: data.numberOfChannels,
        bitrate: 64_000 });
      this.stats.audioCodec = 'opus';
      this.audioOffset = nowMicros() - data.timestamp;
    }
    if (this.audioEncoder.state === 'configured' && this.audioEncoder.encodeQueueSize < 10) {
      this.audioEncoder.encode(data);
    }
    data.close();
  }

  #onAudioChunk(chunk, meta) {
    const ts = chunk.timestamp + this.audioOffset;
    if (meta?.decoderConfig) this.#sendConfig(AUDIO_TRACK, TrackType.AUDIO, ts, meta.decoderConfig);
    if (this.client.bufferedAmount > this.options.maxBufferedBytes) return;
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    if (this.#send(MediaKind.KEY, AUDIO_TRACK, TrackType.AUDIO, ts, chunk.duration, data)) this.stats.audioFrames++;
  }

  #sendConfig(trackId, trackType, timestamp, decoderConfig) {
    const payload = encodeDecoderConfig(decoderConfig);
    this.configs.set(trackId, { trackType, timestamp, payload });
    this.#send(MediaKind.CONFIG, trackId, trackType, timestamp, 0, payload);
  }

  #send(kind, trackId, trackType, timestamp, duration, payload) {
    const frame = packMediaFrame({ kind, trackId, trackType, timestamp: Math.max(0, timestamp), duration: duration || 0, payload });
    const ok = this.client.sendMedia(frame);
    if (ok) this.stats.bytesSent += frame.byteLength;
    return ok;
  }
}

function evenOr(v, dflt) {
  const n = typeof v === 'number' && v > 0 ? v : dflt;
  return n - (n % 2);
}

/**
 * Viewer side: decodes media frames from {@link DropcastClient#onMedia} and draws video to a canvas.
 * Audio is decoded always (counted) and played once {@link enableAudio} was called from a user gesture
 * (browsers block autoplay with sound).
 *
 * A track waits for its config frame, then for a keyframe; after a decoder error or a backed-up
 * decoder it skips to the next keyframe. Frames are drawn as soon as they are decoded (no jitter
 * buffer: lowest latency).
 */
export class MediaPlayer {
  /** @param {HTMLCanvasElement} canvas where video is drawn */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.options = { maxDecodeQueue: 30, latencySamples: 600, ...options };
    this.tracks = new Map();
    this.audio = null;
    this.audioNext = 0;
    this.latencies = [];
    this.listeners = new Set();
    this.stats = {
      videoCodec: null, audioCodec: null, width: 0, height: 0,
      framesDecoded: 0, framesSkipped: 0, audioDecoded: 0, keyFrames: 0, errors: 0,
      firstFrameAt: 0, lastTimestamp: 0, lastRenderAt: 0,
      latencyMs: null, latencyAvgMs: null, latencyP50Ms: null, latencyP95Ms: null, latencyMaxMs: null,
    };
  }

  /** Feeds one unpacked media frame (see unpackMediaFrame). */
  push(frame) {
    let track = this.tracks.get(frame.trackId);
    if (frame.kind === MediaKind.CONFIG) {
      let config;
      try {
        config = decodeDecoderConfig(frame.payload);
      } catch (e) {
        this.stats.errors++;
        return;
      }
      if (!track) {
        track = { type: frame.trackType, decoder: null, config: null, waitingForKey: true };
        this.tracks.set(frame.trackId, track);
      }
      track.config = config;
      this.#configure(track);
      return;
    }
    if (!track || !track.decoder || track.decoder.state !== 'configured') {
      this.stats.framesSkipped++;
      return;
    }
    const key = frame.kind === MediaKind.KEY;
    if (track.waitingForKey && !key) {
      this.stats.framesSkipped++;
      return;
    }
    if (track.decoder.decodeQueueSize > this.options.maxDecodeQueue) {
      track.waitingForKey = true; // decoder is behind: drop to the next keyframe
      this.stats.framesSkipped++;
      return;
    }
    track.waitingForKey = false;
    const init = { type: key ? 'key' : 'delta', timestamp: frame.timestamp, duration: frame.duration || undefined,
      data: frame.payload };
    try {
      track.decoder.decode(track.type === TrackType.VIDEO ? new EncodedVideoChunk(init) : new EncodedAudioChunk(init));
      if (key && track.type === TrackType.VIDEO) this.stats.keyFrames++;
    } catch (e) {
      this.stats.errors++;
      track.waitingForKey = true;
    }
  }

  /** Calls fn(stats) after every drawn video frame. @return unsubscribe */
  onFrame(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts audio playback; call from a click/tap handler. */
  async enableAudio() {
    if (!this.audio) this.audio = new AudioContext({ latencyHint: 'interactive' });
    await this.audio.resume();
    this.audioNext = 0;
  }

  /** Forgets decoders and configs (e.g. when the show ends); the next config frame starts over. */
  reset() {
    for (const t of this.tracks.values()) {
      if (t.decoder && t.decoder.state !== 'closed') t.decoder.close();
    }
    this.tracks.clear();
  }

  close() {
    this.reset();
    if (this.audio) this.audio.close();
    this.audio = null;
  }

  async #configure(track) {
    if (track.decoder && track.decoder.state !== 'closed') track.decoder.close();
    track.decoder = null;
    track.waitingForKey = true;
    const config = track.type === TrackType.VIDEO ? { optimizeForLatency: true, ...track.config } : track.config;
    const Decoder = track.type === TrackType.VIDEO ? globalThis.VideoDecoder : globalThis.AudioDecoder;
    if (!Decoder) return;
    const decoder = new Decoder({
      output: (out) => (track.type === TrackType.VIDEO ? this.#drawVideo(out) : this.#playAudio(out)),
      error: (e) => {
        this.stats.errors++;
        console.warn('decoder error', e);
        if (track.decoder === decoder) this.#configure(track); // fresh decoder, wait for the next keyframe
      },
    });
    try {
      decoder.configure(config);
    } catch (e) {
      this.stats.errors++;
      console.warn('unsupported decoder config', config, e);
      return;
    }
    track.decoder = decoder;
    if (track.type === TrackType.VIDEO) this.stats.videoCodec = config.codec;
    else this.stats.audioCodec = config.codec;
  }

  #drawVideo(frame) {
    try {
      const w = frame.displayWidth;
      const h = frame.displayHeight;
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      this.ctx.drawImage(frame, 0, 0, w, h);
      const now = nowMicros();
      const s = this.stats;
      s.framesDecoded++;
      s.width = w;
      s.height = h;
      s.lastTimestamp = frame.timestamp;
      s.lastRenderAt = Date.now();
      if (!s.firstFrameAt) s.firstFrameAt = s.lastRenderAt;
      const latency = (now - frame.timestamp) / 1000;
      if (latency > -5000 && latency < 120_000) this.#recordLatency(latency);
    } finally {
      frame.close();
    }
    for (const fn of this.listeners) {
      try { fn(this.stats); } catch (e) { console.error(e); }
    }
  }

  #recordLatency(ms) {
    const l = this.latencies;
    l.push(ms);
    if (l.length > this.options.latencySamples) l.shift();
    const sorted = [...l].sort((a, b) => a - b);
    const s = this.stats;
    s.latencyMs = round1(ms);
    s.latencyAvgMs = round1(l.reduce((a, b) => a + b, 0) / l.length);
    s.latencyP50Ms = round1(sorted[Math.floor((sorted.length - 1) * 0.5)]);
    s.latencyP95Ms = round1(sorted[Math.floor((sorted.length - 1) * 0.95)]);
    s.latencyMaxMs = round1(sorted[sorted.length - 1]);
  }

  #playAudio(data) {
    try {
      this.stats.audioDecoded++;
      const ctx = this.audio;
      if (!ctx || ctx.state !== 'running') return;
      const buffer = ctx.createBuffer(data.numberOfChannels, data.numberOfFrames, data.sampleRate);
      for (let ch = 0; ch < data.numberOfChannels; ch++) {
        const plane = new Float32Array(data.numberOfFrames);
        data.copyTo(plane, { planeIndex: ch, format: 'f32-planar' });
        buffer.copyToChannel(plane, ch);
      }
      const src = ctx.createBufferSource();
      src.buffer = buffer;
      src.connect(ctx.destination);
      const now = ctx.currentTime;
      // Keep a small lead (40 ms); if we fell behind or drifted too far ahead, restart the schedule.
      if (this.audioNext < now + 0.01 || this.audioNext > now + 0.5) this.audioNext = now + 0.04;
      src.start(this.audioNext);
      this.audioNext += buffer.duration;
    } finally {
      data.close();
    }
  }
}

function round1(x) {
  return Math.round(x * 10) / 10;
}
