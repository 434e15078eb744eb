// frames.js — photos that are frames of another file: a face that stands for
// a video track says how many frames it covers. (A frame's name, "show.mp4 @
// 01:23" or "sheet.jpg, frame 3", is the server's: the photo's "title".)

/* A short note for a face that stands for a track of several video frames. */
export function trackNote(face) {
  return face && face.track && face.track.faces > 1 ? `track of ${face.track.faces} frames` : null;
}
