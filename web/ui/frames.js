// frames.js — photos that are frames of another file: a frame kept from a
// video is titled with the video's file and its time ("show.mp4 @ 01:23"), a
// face that stands for a video track says how many frames it covers.

function baseName(path) {
  if (!path) return '';
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/* "MM:SS" or "H:MM:SS" of a time offset in ms (as the server's video_format_time). */
export function videoTime(ms) {
  const s = Math.floor(Math.max(0, ms) / 1000);
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0'), ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/* The title of a photo that is a video frame, or null for any other photo. */
export function frameTitle(photo) {
  const of = photo && photo.frame_of;
  if (!of || of.kind !== 'video' || typeof of.time_ms !== 'number') return null;
  return `${baseName(of.file) || of.parent_id} @ ${videoTime(of.time_ms)}`;
}

/* A short note for a face that stands for a track of several video frames. */
export function trackNote(face) {
  return face && face.track && face.track.faces > 1 ? `track of ${face.track.faces} frames` : null;
}
