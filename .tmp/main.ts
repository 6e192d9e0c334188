const w = new Worker("/work/main/.tmp/w.ts");
const keep = setInterval(() => {}, 1000);
w.onmessage = (e) => { console.log(e.data); w.terminate(); clearInterval(keep); };
w.onerror = (e) => { console.log("err", e.message); clearInterval(keep); };
