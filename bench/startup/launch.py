import subprocess, sys, time, statistics, os, re
# Launch -> main, alternating variants (first rotated each round, one untimed launch of each first):
#   javac --release 11 -d bench/startup bench/startup/StartMain.java
#   python3 bench/startup/launch.py 12 $JAVA none='-Dx=1' before='-javaagent:a.jar -Dtripline.sink=none -Dtripline.debug=true' \
#     after='-javaagent:b.jar -Dtripline.sink=none -Dtripline.debug=true'
# Prints per variant the medians of: wall clock to main's first line, process CPU (utime+stime) and
# the main thread's CPU (schedstat) at that point, and the medians of the agent's phases (its startup ms line). docs/benchmarks.md, issue 25.
rounds=int(sys.argv[1]); java=sys.argv[2]
vs=[(a.split('=',1)[0], a.split('=',1)[1].split()) for a in sys.argv[3:]]
res={n:[] for n,_ in vs}; cpu={n:[] for n,_ in vs}; mt={n:[] for n,_ in vs}; ph={n:[] for n,_ in vs}
loads=[]
def one(opts):
    t=time.time()*1000
    p=subprocess.run([java]+opts+['-cp',os.path.dirname(os.path.abspath(__file__)),'StartMain'],capture_output=True,text=True)
    m=re.search(r'MAIN (\d+) (\d+) (\d+)',p.stdout)
    if not m: print(p.stdout,p.stderr); return None
    s=re.search(r'startup ms:(.*)',p.stderr)
    return int(m.group(1))-t,int(m.group(2)),int(m.group(3)),(s.group(1).strip() if s else '')
for n,o in vs: one(o)
for r in range(rounds):
    order=vs[r%len(vs):]+vs[:r%len(vs)]
    loads.append(os.getloadavg()[0])
    for n,o in order:
        x=one(o)
        if x: res[n].append(x[0]); cpu[n].append(x[1]); mt[n].append(x[2]); ph[n].append(x[3])
print("load %.1f-%.1f"%(min(loads),max(loads)))
for n,_ in vs:
    r=res[n]
    phs={}
    for line in ph[n]:
        for kv in line.split():
            if '=' in kv:
                k,v=kv.split('=',1)
                try: phs.setdefault(k,[]).append(float(v))
                except ValueError: pass
    med=' '.join('%s=%g'%(k,statistics.median(v)) for k,v in phs.items())
    print("%-10s main %6.0f (%4.0f-%4.0f)  proc-cpu %4.0f  main-thread-cpu %4.0f  medians: %s"%(n,statistics.median(r),min(r),max(r),statistics.median(cpu[n]),statistics.median(mt[n]), med))
